"""Every write to a case goes through these functions (views, tasks, intake, API alike).

Each is atomic, takes keyword-only arguments, checks the rules of the standard it serves and
writes its ``CaseEvent``.  ``expected_version`` gives optimistic locking: pass the version the user
saw and a change made meanwhile raises ``ConcurrentChange`` instead of being overwritten.
"""

from charterdesk.cases.services._attachments import AttachmentData
from charterdesk.cases.services.confidentiality import case_set_confidential
from charterdesk.cases.services.lifecycle import (
    case_assign,
    case_close,
    case_open,
    case_reopen,
    case_resolve,
    case_set_waiting,
    case_transfer,
)
from charterdesk.cases.services.messages import (
    case_add_message,
    case_add_note,
    case_explain_delay,
    case_promise,
    case_record_bounce,
    case_record_mistake,
    case_record_send_failure,
    case_reply,
    case_set_mail_headers,
)
from charterdesk.cases.services.outcomes import case_decline, case_refer
from charterdesk.cases.services.receive import (
    InboundItem,
    NewCase,
    case_receive_batch,
    case_set_next_due_many,
    cases_open,
)

__all__ = [
    "AttachmentData",
    "InboundItem",
    "NewCase",
    "case_add_message",
    "case_add_note",
    "case_assign",
    "case_close",
    "case_decline",
    "case_explain_delay",
    "case_open",
    "case_promise",
    "case_receive_batch",
    "case_record_bounce",
    "case_record_mistake",
    "case_record_send_failure",
    "case_refer",
    "case_reopen",
    "case_reply",
    "case_resolve",
    "case_set_confidential",
    "case_set_mail_headers",
    "case_set_next_due_many",
    "case_set_waiting",
    "case_transfer",
    "cases_open",
]
