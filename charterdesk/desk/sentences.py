"""Timeline sentences for case events, in the active language."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


_APPOINTMENT_SHORT = {
    "appointment.moved": gettext_lazy("Consultation moved"),
    "appointment.cancelled": gettext_lazy("Consultation cancelled"),
    "appointment.arrived": gettext_lazy("The client arrived"),
    "appointment.finished": gettext_lazy("Consultation finished"),
    "appointment.walk_in": gettext_lazy("The client came without booking"),
}


def _appointment(t: str, p: dict[str, object]) -> str:
    """Consultations in person: what happened, when and where (``charterdesk.appointments``)."""
    values = {
        "when": _when(str(p.get("starts") or "")),
        "office": p.get("office_name", ""),
        "previous": _when(str(p.get("previous_starts") or "")),
        "minutes": p.get("minutes", ""),
    }
    sentences = {
        "appointment.booked": _("Consultation booked for %(when)s at %(office)s"),
        "appointment.moved": _("Consultation moved from %(previous)s to %(when)s at %(office)s"),
        "appointment.cancelled": _("Consultation of %(when)s at %(office)s cancelled"),
        "appointment.late_notice": _("The client warned of being late by %(minutes)s min"),
        "appointment.arrived": _("The client arrived for the consultation of %(when)s"),
        "appointment.identity_checked": _("Identity document checked"),
        "appointment.started": _("Consultation started"),
        "appointment.finished": _("Consultation finished"),
        "appointment.no_show": _("The client did not come to the consultation of %(when)s"),
        "appointment.walk_in": _("The client came without booking to %(office)s"),
    }
    return str(sentences.get(t, t)) % values


def _channel(value: str | None) -> str:
    try:
        return str(Channel(value or "").label)
    except ValueError:
        return value or ""


def _commitment(commitment_id: str) -> str:
    """``Acknowledgement … (EMAIL-ACK)``: the human name, the ID as a hint."""
    from charterdesk.desk.templatetags.desk import commitment_name

    name = commitment_name(commitment_id)
    return f"{name} ({commitment_id})" if name and name != commitment_id else commitment_id


def _institution_after_to(p: dict[str, object]) -> str:
    """The institution's name as it reads after "to" / "uz" (Latvian: the accusative)."""
    from django.utils.translation import get_language

    from charterdesk.directory.models import accusative_lv

    stored = str(p.get("institution_accusative") or "")
    name = str(p.get("institution_name") or "?")
    if (get_language() or "lv").startswith("en"):
        return str(p.get("institution_name_en") or name)
    return stored or accusative_lv(name)


def _sent_sentence(p: dict[str, object]) -> str:
    delivery = p.get("delivery") or {"post": "letter"}.get(str(p.get("channel")), p.get("channel"))
    if delivery == "email":
        return _("Sent to the client by e-mail")
    if delivery == "letter":
        return _("A letter to the client was recorded")
    if delivery == "phone":
        return _("Told the client by phone")
    if delivery == "in_person":
        return _("Told the client in person")
    return _("A message to the client was recorded")


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
            "institution": _institution_after_to(p)
        }
    if t == "case.declined":
        return _("Declined with reasons (the client was given them)")
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
    if t in ("timer.breached", "timer.warning", "timer.met"):
        commitment = _commitment(p.get("commitment", ""))
        if t == "timer.breached":
            return _("Deadline breached: %(commitment)s") % {"commitment": commitment}
        if t == "timer.warning":
            return _("Deadline close: %(commitment)s") % {"commitment": commitment}
        return _("Deadline met: %(commitment)s") % {"commitment": commitment}
    if t == "message.sent":
        return _sent_sentence(p)
    if t == "message.received":
        return _("The client wrote (%(channel)s)") % {"channel": _channel(p.get("channel"))}
    if t.startswith("appointment.") and p.get("starts"):
        return _appointment(t, p)
    if t in _APPOINTMENT_SHORT:
        return str(_APPOINTMENT_SHORT[t])
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
        "complaint.received": _("Complaint received: its own deadline runs"),
        "survey.sent": _("Satisfaction survey sent to the client"),
        "survey.answered": _("The client answered the satisfaction survey"),
        "note.added": _("Internal note added"),
        "reply.sent": _("The client was answered"),
        "ack.sent": _("Acknowledgement sent to the client"),
        "delay.explained": _("The delay was explained to the client"),
    }
    return str(labels.get(t, t))
