"""Invitations, updates and cancellations by e-mail, with the .ics file, in the client's language.

The mail is an outbound case message (kind ``invitation``) with the .ics as its attachment; the
outbox sends it as it sends every case e-mail (identity block [EMAIL-IDENTITY], stable Message-ID,
retries).  This module is the appointments' only door to the outbox: it calls the case service, and
the outbox's listener on ``message.sent`` does the rest.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from charterdesk.appointments import ics, links
from charterdesk.appointments.formatting import long_time
from charterdesk.appointments.models import Appointment, AppointmentStatus
from charterdesk.cases.models import Channel, Direction, MessageKind
from charterdesk.cases.services import AttachmentData, case_add_message
from charterdesk.directory.models import Employee


def _organizer_email(appointment: Appointment) -> str:
    if appointment.office.email:
        return appointment.office.email
    address = settings.DEFAULT_FROM_EMAIL
    return address.rpartition("<")[2].strip(">").strip() if "<" in address else address


def what_to_bring(appointment: Appointment) -> str:
    if appointment.needs_identity_document:
        return _("an identity document (passport or identity card)")
    return ""


def details(appointment: Appointment, language: str) -> list[tuple[str, str]]:
    """(label, value) lines of the consultation, for the mail and the .ics description."""
    office = appointment.office
    with translation.override(language):
        lines = [
            (_("Time"), long_time(appointment.starts_at, appointment.ends_at, language)),
            (_("Office"), f"{office.name}, {office.address}"),
        ]
        if office.accessibility.strip():
            lines.append((_("How to get in"), office.accessibility.strip()))
        if appointment.consultant is not None:
            lines.append((_("Consultant"), appointment.consultant.full_name))
        lines.append((_("Programme"), str(appointment.programme.name)))
        lines.append((_("Topic"), appointment.topic))
        bring = what_to_bring(appointment)
        if bring:
            lines.append((_("Please bring"), bring))
        if appointment.special_needs:
            lines.append((_("Your special needs (we have noted them)"), appointment.special_needs))
    return lines


def _text(appointment: Appointment, method: str, language: str) -> tuple[str, str, str]:
    """(subject, mail body, .ics description) in ``language``."""
    with translation.override(language):
        when = long_time(appointment.starts_at, None, language)
        if method == "CANCEL":
            subject = _("Consultation cancelled: %(when)s") % {"when": when}
            opening = _("Your consultation has been cancelled. The time is free for others.")
        elif appointment.sequence > 0:
            subject = _("Consultation moved: %(when)s") % {"when": when}
            opening = _("Your consultation has been moved. The new time is below.")
        else:
            subject = _("Consultation booked: %(when)s") % {"when": when}
            opening = _("Your consultation has been booked.")
        lines = details(appointment, language)
        block = "\n".join(f"{label}: {value}" for label, value in lines)
        greeting = _("Good day!")
        body = f"{greeting}\n\n{opening}\n\n{block}\n"
        if method != "CANCEL":
            body += "\n" + links.text_block(appointment, language) + "\n"
            body += "\n" + _("The calendar file attached adds the consultation to your calendar.")
    return subject, body, block


def send(appointment: Appointment, *, by: Employee | None, at: datetime) -> bool:
    """Send the invitation (or update, or cancellation) for ``appointment``'s current version.

    Returns False, sending nothing, when the client has no e-mail address (the employee tells the
    client by phone; the case event says so)."""
    case = appointment.case
    recipient = (case.client.email or "").strip()
    if not recipient:
        return False
    method = "CANCEL" if appointment.status == AppointmentStatus.CANCELLED else "REQUEST"
    language = appointment.language if appointment.language in ("lv", "en") else "lv"
    subject, body, description = _text(appointment, method, language)
    invite = ics.Invite(
        uid=appointment.uid,
        sequence=appointment.sequence,
        method=method,
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        stamp=at,
        summary=subject,
        description=description,
        location=f"{appointment.office.name_lv if language == 'lv' else appointment.office.name_en}, "
        f"{appointment.office.address}",
        organizer_email=_organizer_email(appointment),
        organizer_name=appointment.consultant.full_name if appointment.consultant else "",
        attendee_email=recipient,
        attendee_name=case.client.name,
        language=language,
    )
    author = by or appointment.consultant
    case_add_message(
        case=case,
        direction=Direction.OUTBOUND,
        kind=MessageKind.INVITATION,
        channel=Channel.EMAIL,
        subject=subject,
        body=body,
        author=author,
        language=language,
        meta={"appointment": appointment.pk, "method": method, "sequence": appointment.sequence},
        attachments=[
            AttachmentData(
                filename="cancel.ics" if method == "CANCEL" else "invite.ics",
                content_type=ics.content_type(method),
                content=ics.build(invite),
            )
        ],
        at=at,
    )
    return True
