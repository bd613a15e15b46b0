"""Explaining a delay when the one-working-day answer cannot be given [EMAIL-REPLY-1BD].

The employee gives the reason; the text comes from the ``delay`` template in the case's language;
``case_explain_delay`` writes ``delay.explained``, on which the SLA engine records the commitment
as kept by explanation, and the outbox listener queues the mail with the employee's identity block.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from charterdesk.cases.errors import CaseError
from charterdesk.cases.models import Case, Message, MessageKind
from charterdesk.cases.services import case_explain_delay
from charterdesk.directory.models import Employee
from charterdesk.outbox.identity import block_language
from charterdesk.outbox.services.templates import template_render


def delay_explanation_text(
    case: Case,
    employee: Employee | None,
    reason: str,
    *,
    expected_answer_by: datetime | None = None,
    template_name: str | None = None,
) -> str:
    """The delay explanation for ``case`` with ``reason``, from the ``delay`` template in the case's
    language (without the identity block: the outbox adds it).  ``expected_answer_by`` defaults to
    the date promised on the case, if any."""
    if not (reason or "").strip():
        raise CaseError(
            _("The explanation of the delay on case %(ref)s needs the reason for the client.")
            % {"ref": case.reference}
        )
    when = expected_answer_by or case.promised_by
    rendered = template_render(
        kind=MessageKind.DELAY,
        case=case,
        language=block_language(case.language),
        employee=employee,
        name=template_name,
        expected_answer_by=when,
        reason=reason,
    )
    return rendered.body


def delay_explanation_send(
    *,
    case: Case,
    by: Employee,
    reason: str,
    expected_answer_by: datetime | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Message:
    """Send the client the reason for the delay from the template (the desk's one-click action)."""
    body = delay_explanation_text(case, by, reason, expected_answer_by=expected_answer_by)
    return case_explain_delay(case=case, by=by, body=body, expected_version=expected_version, at=at)
