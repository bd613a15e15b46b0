"""Whether a client's message is automatic mail: the one answer to that question.

Automatic mail (RFC 3834 ``Auto-Submitted`` other than ``no``, ``Precedence: bulk/list/junk``,
a mailing list's ``List-Id``, a null sender, a delivery report) owes no answer and no
acknowledgement, opens no clock and does not reopen a finished case.  The channel that takes the
message in decides it from what it sees (e-mail: the headers, ``channels.email.parsing``) and
stores ``meta["auto_submitted"] = True`` with its reason in ``meta["auto_reason"]``; everyone else
(the case services, the SLA engine, the outbox) asks this module.
"""

from __future__ import annotations

from typing import Any

_NO = frozenset({"", "no", "false", "0"})


def automatic_reason(subject: Any) -> str:
    """Why ``subject`` (a ``Message``, or a message's ``meta`` dict) is automatic ('' if not)."""
    meta = getattr(subject, "meta", subject)
    if not isinstance(meta, dict):
        return ""
    value = meta.get("auto_submitted")
    if value is None or value is False or str(value).strip().lower() in _NO:
        return ""
    reason = meta.get("auto_reason")
    return str(reason) if reason else f"Auto-Submitted: {value}"


def is_automatic(subject: Any) -> bool:
    return bool(automatic_reason(subject))
