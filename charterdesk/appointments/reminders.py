"""Reminders the working day before, on the office's business calendar.

The reminder is due at the opening of the last working day of the office before the consultation's
date (a Monday consultation is reminded on Friday; after a holiday, on the working day before it).
If that moment has already passed when the consultation is booked, there is no reminder: the
invitation has just gone.  A deferred task sends it at that moment; ``charterdesk appointments
remind`` sends whatever a stopped worker missed.  Sending twice is impossible: the row is taken
under a lock and ``reminder_sent_at`` is written with the mail.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from charterdesk.appointments.formatting import long_time
from charterdesk.appointments.models import Appointment, AppointmentStatus
from charterdesk.calendar import get_calendar
from charterdesk.calendar.business import BusinessCalendar

TZ = ZoneInfo("Europe/Riga")
LOOK_BACK_DAYS = 31


def previous_working_day(calendar: BusinessCalendar, day: date) -> date | None:
    for back in range(1, LOOK_BACK_DAYS):
        candidate = day - timedelta(days=back)
        if calendar.day(candidate).working:
            return candidate
    return None


def reminder_moment(appointment: Appointment, *, now: datetime) -> datetime | None:
    """When to remind of ``appointment`` (None: no reminder)."""
    if appointment.consultant_id is None:  # a walk-in is here already
        return None
    calendar = get_calendar(appointment.office)
    local_day = appointment.starts_at.astimezone(TZ).date()
    day = previous_working_day(calendar, local_day)
    if day is None:
        return None
    opens = calendar.day(day).intervals[0][0]
    moment = datetime.combine(day, opens, tzinfo=TZ)
    return moment if moment > now else None


def schedule(appointment: Appointment) -> None:
    """Enqueue the reminder task for the appointment's due moment, after the commit."""
    due = appointment.reminder_due_at
    if due is None:
        return
    pk = appointment.pk

    def enqueue() -> None:
        from charterdesk.appointments.tasks import appointment_remind

        appointment_remind.using(run_after=due).enqueue(pk)

    transaction.on_commit(enqueue, robust=True)


def _body(appointment: Appointment, language: str) -> tuple[str, str]:
    from charterdesk.appointments import invitations, links

    with translation.override(language):
        when = long_time(appointment.starts_at, None, language)
        subject = _("Reminder: your consultation %(when)s") % {"when": when}
        lines = invitations.details(appointment, language)
        block = "\n".join(f"{label}: {value}" for label, value in lines)
        greeting = _("Good day!")
        body = (
            f"{greeting}\n\n"
            + _("We remind you of your consultation.")
            + f"\n\n{block}\n\n"
            + links.text_block(appointment, language)
            + "\n"
        )
    return subject, body


@transaction.atomic
def appointment_remind(*, appointment_id: int, now: datetime | None = None) -> bool:
    """Send the reminder of one appointment if it is due and not sent; True if sent."""
    from charterdesk.cases.models import Channel, Direction, MessageKind
    from charterdesk.cases.services import case_add_message

    now = now or timezone.now()
    row = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("case", "case__client", "office", "programme", "consultant")
        .filter(pk=appointment_id)
        .first()
    )
    if (
        row is None
        or row.status != AppointmentStatus.BOOKED
        or row.reminder_sent_at is not None
        or row.reminder_due_at is None
        or row.reminder_due_at > now
        or row.starts_at <= now
    ):
        return False
    row.reminder_sent_at = now
    row.save(update_fields=["reminder_sent_at"])
    if not (row.case.client.email or "").strip():
        return False  # nothing to send to; the day view shows the phone number
    language = row.language if row.language in ("lv", "en") else "lv"
    subject, body = _body(row, language)
    case_add_message(
        case=row.case,
        direction=Direction.OUTBOUND,
        kind=MessageKind.REMINDER,
        channel=Channel.EMAIL,
        subject=subject,
        body=body,
        author=row.consultant,
        language=language,
        meta={"appointment": row.pk, "reminder": True},
        at=now,
    )
    return True


def reminders_send_due(*, now: datetime | None = None, batch: int = 200) -> int:
    """Send every due reminder (the sweep); returns how many were sent."""
    now = now or timezone.now()
    ids = list(
        Appointment.objects.filter(
            status=AppointmentStatus.BOOKED,
            reminder_sent_at__isnull=True,
            reminder_due_at__lte=now,
            starts_at__gt=now,
        ).values_list("pk", flat=True)[:batch]
    )
    return sum(appointment_remind(appointment_id=pk, now=now) for pk in ids)
