"""Timeline sentences for case events, in the active language."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from charterdesk.cases.models import CaseEvent, Channel
from charterdesk.cases.status import Status


def _when(iso: str | None) -> str:
    from charterdesk.desk.templatetags.desk import when

    if not iso:
        return ""
    try:
        return when(datetime.fromisoformat(iso))
    except ValueError:
        return iso


def _status(value: str | None) -> str:
    try:
        return str(Status(value or "").label)
    except ValueError:
        return value or ""


def describe(event: CaseEvent) -> str:
    """One sentence for an employee reading the timeline."""
    p = event.params or {}
    t = event.type
    if t == "case.opened":
        try:
            channel = str(Channel(p.get("channel") or "").label)
        except ValueError:
            channel = p.get("channel", "")
        return _("Case opened (%(channel)s)") % {"channel": channel}
    if t == "case.assigned":
        return _("Assigned to %(name)s") % {"name": p.get("to_name", "?")}
    if t == "case.transferred":
        text = _("Transferred to %(name)s: “%(note)s”") % {
            "name": p.get("to_name", "?"),
            "note": p.get("note", ""),
        }
        if p.get("competent") is False:
            text += " " + _("(the colleague does not hold the programme's competence)")
        return text
    if t == "case.referred":
        return _("Referred to %(institution)s; the client was told its contacts") % {
            "institution": p.get("institution_name", "?")
        }
    if t == "case.declined":
        return _("Declined with reasons (sent to the client)")
    if t == "case.resolved":
        summary = p.get("summary")
        return _("Resolved: %(summary)s") % {"summary": summary} if summary else _("Resolved")
    if t == "case.closed":
        return _("Closed")
    if t == "case.reopened":
        return _("Reopened (was %(previous)s): %(reason)s") % {
            "previous": _status(p.get("previous")),
            "reason": p.get("reason", ""),
        }
    if t == "case.confidentiality":
        names = ", ".join(p.get("named") or [])
        if p.get("confidential"):
            text = _("Marked confidential: only the team and those named see it")
        else:
            text = _("No longer confidential")
        return f"{text} ({_('named')}: {names})" if names else text
    if t == "message.bounced":
        return _("The e-mail to the client came back undelivered: %(reason)s") % {
            "reason": p.get("reason", "")
        }
    if t == "message.not_sent":
        return _("The e-mail to the client could not be sent: %(reason)s") % {
            "reason": p.get("reason", "")
        }
    if t == "estimate.promised":
        return _("Answer promised by %(due)s") % {"due": _when(p.get("due"))}
    if t == "estimate.moved":
        return _("Promised date moved from %(previous)s to %(due)s") % {
            "previous": _when(p.get("previous")),
            "due": _when(p.get("due")),
        }
    if t == "estimate.kept":
        return _("Promised date kept")
    if t == "mistake.recorded":
        return _("Mistake recorded: %(description)s") % {"description": p.get("description", "")}
    if t == "timer.breached":
        return _("Deadline breached: %(commitment)s") % {"commitment": p.get("commitment", "")}
    if t == "timer.warning":
        return _("Deadline close: %(commitment)s") % {"commitment": p.get("commitment", "")}
    if t == "timer.met":
        return _("Deadline met: %(commitment)s") % {"commitment": p.get("commitment", "")}
    labels = {
        "call.offered": _("Call offered"),
        "call.answered": _("Call answered"),
        "call.greeted": _("Greeting checked"),
        "callback.promised": _("Callback promised"),
        "callback.made": _("Callback made"),
        "appointment.booked": _("Appointment booked"),
        "appointment.started": _("Appointment started"),
        "appointment.late_notice": _("The client warned of being late"),
        "appointment.no_show": _("The client did not come"),
        "appointment.identity_checked": _("Identity document checked"),
        "feedback.received": _("Feedback received"),
    }
    return str(labels.get(t, t))
