"""Booking, moving and cancelling a consultation.

The free-slot rules are checked first (a clear refusal naming the rule); the database constraint
then settles a race between two requests for the same consultant's time: the loser gets
:class:`SlotTaken` with the next free slots, and nothing of its request is written.  A booking or
a move first takes its consultant's row lock (:func:`_hold`): on its own, the exclusion
constraint lets two concurrent inserts of overlapping ranges each see the other's uncommitted
row and wait for it, which PostgreSQL breaks as a deadlock instead of a constraint violation.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from charterdesk.appointments import invitations, reminders
from charterdesk.appointments.errors import AppointmentError, NotBookable, SlotTaken
from charterdesk.appointments.models import (
    NO_DOUBLE_BOOKING,
    Appointment,
    AppointmentStatus,
    BookedVia,
)
from charterdesk.appointments.selectors import TZ, free_slots, rule_for, slot_is_free
from charterdesk.appointments.slots import Rule
from charterdesk.cases.models import Case, Channel
from charterdesk.cases.recording import record_event
from charterdesk.cases.services import case_open
from charterdesk.clients.models import Client
from charterdesk.core.validators import normalise_email, normalise_phone
from charterdesk.directory.models import Employee, Office, Programme
from charterdesk.standard.events import Event

NEXT_SLOTS = 5


class _Taken(Exception):
    pass


def new_uid() -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "charterdesk"
    return f"{uuid.uuid4()}@{domain}"


def _contact(phone: str, email: str) -> tuple[str, str]:
    try:
        phone = normalise_phone(phone) if phone.strip() else ""
        email = normalise_email(email) if email.strip() else ""
    except ValidationError as exc:
        raise NotBookable(" ".join(exc.messages)) from None
    if not phone and not email:
        raise NotBookable(_("Give a phone number or an e-mail address to reach the client."))
    return phone, email


def _clashes(consultant: Employee, start: datetime, end: datetime, exclude: int | None) -> bool:
    rows = Appointment.objects.filter(
        consultant=consultant, blocked_from__lt=end, blocked_until__gt=start
    ).exclude(status=AppointmentStatus.CANCELLED)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.exists()


def _refuse(
    *,
    programme: Programme,
    office: Office,
    consultant: Employee,
    starts_at: datetime,
    rule: Rule,
    now: datetime,
    exclude: int | None = None,
) -> None:
    """Raise the reason ``starts_at`` cannot be booked, or return if it can."""
    if not office.is_active:
        raise NotBookable(_("The office %(office)s is closed for bookings.") % {"office": office})
    if not consultant.is_active or not consultant.competences.filter(pk=programme.pk).exists():
        raise NotBookable(
            _("%(name)s does not consult on the programme %(programme)s.")
            % {"name": consultant.full_name, "programme": programme}
        )
    if starts_at < now + rule.min_notice:
        minutes = rule.min_notice // timedelta(minutes=1)
        raise NotBookable(
            ngettext(
                "A consultation must be booked at least %(minutes)d minute ahead.",
                "A consultation must be booked at least %(minutes)d minutes ahead.",
                minutes,
            )
            % {"minutes": minutes}
        )
    if starts_at.astimezone(TZ).date() > now.astimezone(TZ).date() + timedelta(
        days=rule.horizon_days
    ):
        raise NotBookable(
            ngettext(
                "Consultations can be booked at most %(days)d day ahead.",
                "Consultations can be booked at most %(days)d days ahead.",
                rule.horizon_days,
            )
            % {"days": rule.horizon_days}
        )
    if slot_is_free(
        programme,
        office=office,
        consultant=consultant,
        starts_at=starts_at,
        now=now,
        exclude_appointment=exclude,
    ):
        return
    if _clashes(consultant, starts_at - rule.before, starts_at + rule.length + rule.after, exclude):
        raise _Taken
    raise NotBookable(
        _(
            "%(name)s does not receive clients at %(office)s at that time (office hours, "
            "the consultant's plan or the programme's time grid)."
        )
        % {"name": consultant.full_name, "office": office}
    )


def _next(programme: Programme, office: Office, after: datetime, now: datetime) -> SlotTaken:
    return SlotTaken(
        free_slots(programme, offices=[office], after=after, now=now, limit=NEXT_SLOTS)
    )


def _channel_for(via: str) -> str:
    return {
        BookedVia.PHONE: Channel.PHONE,
        BookedVia.PORTAL: Channel.PORTAL,
    }.get(BookedVia(via), Channel.IN_PERSON)


def _times(rule: Rule, starts_at: datetime) -> dict[str, datetime]:
    return {
        "starts_at": starts_at,
        "ends_at": starts_at + rule.length,
        "blocked_from": starts_at - rule.before,
        "blocked_until": starts_at + rule.length + rule.after,
    }


def describe(appointment: Appointment) -> dict[str, Any]:
    """What the timeline event keeps of an appointment (JSON)."""
    return {
        "appointment": appointment.pk,
        "office": appointment.office.code,
        "office_name": appointment.office.name_lv,
        "starts": appointment.starts_at.astimezone(TZ).isoformat(),
        "ends": appointment.ends_at.astimezone(TZ).isoformat(),
        "consultant": appointment.consultant_id,
        "consultant_name": appointment.consultant.full_name if appointment.consultant else "",
        "programme": appointment.programme.code,
        "sequence": appointment.sequence,
    }


def _hold(consultant: Employee) -> None:
    """One booking or move of ``consultant``'s time at a time, until the transaction ends: the
    second waits, then finds the first's committed range and gets "just taken".  ``FOR NO KEY
    UPDATE`` does not block the rows that merely refer to the employee (their foreign keys take
    ``FOR KEY SHARE``); SQLite has one writer at a time anyway."""
    list(
        Employee.objects.select_for_update(no_key=True)
        .filter(pk=consultant.pk)
        .values_list("pk", flat=True)
    )


def appointment_book(
    *,
    programme: Programme,
    office: Office,
    consultant: Employee,
    starts_at: datetime,
    via: str,
    topic: str,
    by: Employee | None = None,
    case: Case | None = None,
    client: Client | None = None,
    special_needs: str = "",
    help_wanted: str = "",
    needs_identity_document: bool | None = None,
    contact_phone: str = "",
    contact_email: str = "",
    language: str | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Book a consultation [OFFICE-BOOKING] at any office [OFFICE-ANY] on ``case`` (or on a new
    case of ``client``), send the invitation and plan the reminder.

    Raises :class:`SlotTaken` (with the next free slots) when the time is no longer free, and
    :class:`NotBookable` naming the rule a time breaks."""
    now = now or timezone.now()
    if timezone.is_naive(starts_at):
        raise NotBookable(_("The time of the consultation has no time zone."))
    topic = (topic or "").strip()
    if not topic:
        raise NotBookable(_("Say what the consultation is about (the topic)."))
    if case is None and client is None:
        raise AppointmentError("appointment_book needs a case or a client")
    phone, email = _contact(contact_phone, contact_email)
    rule = rule_for(programme)
    try:
        with transaction.atomic():
            _hold(consultant)
            _refuse(
                programme=programme,
                office=office,
                consultant=consultant,
                starts_at=starts_at,
                rule=rule,
                now=now,
            )
            if case is None:
                assert client is not None
                case = case_open(
                    client=client,
                    channel=_channel_for(via),
                    subject=topic,
                    programme=programme,
                    office=office,
                    by=by,
                    at=now,
                )
            client_row = case.client
            needs_id = (
                programme.needs_identity_document
                if needs_identity_document is None
                else needs_identity_document
            )
            appointment = Appointment(
                case=case,
                programme=programme,
                office=office,
                consultant=consultant,
                status=AppointmentStatus.BOOKED,
                booked_via=BookedVia(via),
                booked_by=by,
                topic=topic[:300],
                help_wanted=help_wanted.strip(),
                special_needs=(special_needs or client_row.special_needs or "").strip(),
                needs_identity_document=needs_id,
                contact_phone=phone,
                contact_email=email,
                language=language or case.language or client_row.language,
                uid=new_uid(),
                sequence=0,
                created_at=now,
                **_times(rule, starts_at),
            )
            try:
                with transaction.atomic():
                    appointment.save(force_insert=True)
            except IntegrityError as exc:
                if NO_DOUBLE_BOOKING in str(exc):
                    raise _Taken from exc
                raise
            appointment.reminder_due_at = reminders.reminder_moment(appointment, now=now)
            appointment.save(update_fields=["reminder_due_at"])
            sent = invitations.send(appointment, by=by, at=now)
            record_event(
                case=case,
                type=Event.APPOINTMENT_BOOKED,
                actor=by,
                at=now,
                channel=Channel.IN_PERSON.value,
                via=appointment.booked_via,
                special_needs=bool(appointment.special_needs),
                needs_identity_document=needs_id,
                lead_minutes=int((starts_at - now) / timedelta(minutes=1)),
                invitation_sent=sent,
                **describe(appointment),
            )
            reminders.schedule(appointment)
    except _Taken:
        raise _next(programme, office, starts_at, now) from None
    return appointment


def _lock(appointment: Appointment) -> Appointment:
    fresh = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("case", "case__client", "office", "programme", "consultant")
        .get(pk=appointment.pk)
    )
    return fresh


def appointment_move(
    *,
    appointment: Appointment,
    starts_at: datetime,
    via: str,
    office: Office | None = None,
    consultant: Employee | None = None,
    by: Employee | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Move a booked consultation to another free time (and office or consultant): same UID,
    SEQUENCE raised, the update sent, the move written on the case timeline."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = _lock(appointment)
            if locked.status != AppointmentStatus.BOOKED or locked.started_at is not None:
                raise NotBookable(
                    _("Only a booked consultation that has not started can be moved.")
                )
            office = office or locked.office
            consultant = consultant or locked.consultant
            if consultant is None:
                raise NotBookable(_("A walk-in visit has no booked time to move."))
            _hold(consultant)
            rule = rule_for(locked.programme)
            _refuse(
                programme=locked.programme,
                office=office,
                consultant=consultant,
                starts_at=starts_at,
                rule=rule,
                now=now,
                exclude=locked.pk,
            )
            previous = describe(locked)
            for name, value in _times(rule, starts_at).items():
                setattr(locked, name, value)
            locked.office = office
            locked.consultant = consultant
            locked.sequence += 1
            locked.late_minutes = None
            locked.late_notice_at = None
            locked.reminder_sent_at = None
            locked.reminder_due_at = reminders.reminder_moment(locked, now=now)
            try:
                with transaction.atomic():
                    locked.save()
            except IntegrityError as exc:
                if NO_DOUBLE_BOOKING in str(exc):
                    raise _Taken from exc
                raise
            sent = invitations.send(locked, by=by, at=now)
            record_event(
                case=locked.case,
                type=Event.APPOINTMENT_MOVED,
                actor=by,
                at=now,
                channel=Channel.IN_PERSON.value,
                via=via,
                previous_starts=previous["starts"],
                previous_office_name=previous["office_name"],
                invitation_sent=sent,
                **describe(locked),
            )
            reminders.schedule(locked)
    except _Taken:
        raise _next(appointment.programme, office or appointment.office, starts_at, now) from None
    return locked


@transaction.atomic
def appointment_cancel(
    *,
    appointment: Appointment,
    via: str,
    reason: str = "",
    by: Employee | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Cancel a booked consultation: the time is free again, METHOD:CANCEL is sent, the case
    timeline keeps what was booked."""
    now = now or timezone.now()
    locked = _lock(appointment)
    if locked.status != AppointmentStatus.BOOKED or locked.started_at is not None:
        raise NotBookable(_("Only a booked consultation that has not started can be cancelled."))
    locked.status = AppointmentStatus.CANCELLED
    locked.cancelled_at = now
    locked.cancel_reason = reason.strip()[:300]
    locked.sequence += 1
    locked.save(update_fields=["status", "cancelled_at", "cancel_reason", "sequence"])
    sent = invitations.send(locked, by=by, at=now)
    record_event(
        case=locked.case,
        type=Event.APPOINTMENT_CANCELLED,
        actor=by,
        at=now,
        channel=Channel.IN_PERSON.value,
        via=via,
        reason=locked.cancel_reason,
        invitation_sent=sent,
        **describe(locked),
    )
    return locked
