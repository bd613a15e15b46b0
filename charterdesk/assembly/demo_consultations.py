"""The demo's consultations: the consultants' weekly plans, so the booking page offers times,
and a few bookings and walk-ins through the real services, so the office's day has visits."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from charterdesk.appointments.errors import AppointmentError
from charterdesk.appointments.models import Appointment, ConsultantPlan
from charterdesk.appointments.selectors import free_slots
from charterdesk.appointments.services import (
    appointment_book,
    appointment_step,
    appointment_walk_in,
)
from charterdesk.clients.models import Client
from charterdesk.directory.models import Employee, Office, Programme

# The consultants' weekly plans (username, office, weekdays, from, until): a consultant may serve
# two offices on different days (Ilze: Cēsis, and Valmiera on Fridays).
PLANS = [
    ("anna", "riga", range(5), "09:00", "12:00"),
    ("anna", "riga", range(5), "13:00", "16:30"),
    ("janis", "riga", range(4), "10:00", "16:00"),
    ("janis", "jelgava", [4], "09:00", "15:00"),
    ("ilze", "cesis", range(4), "09:00", "16:00"),
    ("ilze", "valmiera", [4], "09:00", "14:00"),
    ("laura", "riga", [1, 3], "09:00", "13:00"),
    ("peteris", "riga", [2], "10:00", "15:00"),
]


def plans(staff: dict[str, Employee]) -> None:
    """The consultants' weekly plans, so the booking page offers times (once)."""
    offices = {o.code: o for o in Office.objects.all()}
    for username, office, weekdays, starts, ends in PLANS:
        if office not in offices:
            continue
        for weekday in weekdays:
            ConsultantPlan.objects.get_or_create(
                employee=staff[username],
                office=offices[office],
                weekday=weekday,
                starts=starts,
                ends=ends,
            )


def consultations(
    staff: dict[str, Employee],
    clients: list[Client],
    programmes: dict[str, Programme],
    now: datetime,
) -> None:
    """A few consultations at the Riga office, through the booking service: the next free times
    (today if any are left, else the next working day) and two on the working day after, and two
    walk-ins today (one already started, its identity document checked where the programme
    needs one), so the day view has content."""
    riga = Office.objects.filter(code="riga").first()
    housing = programmes.get("housing-guarantee")
    start_up = programmes.get("start-up")
    if riga is None or housing is None or start_up is None:
        return

    def book(
        programme: Programme,
        topic: str,
        client: Client,
        by: Employee,
        after: datetime | None = None,
    ) -> Appointment | None:
        slots = free_slots(programme, offices=[riga], now=now, after=after, limit=1)
        if not slots:
            return None
        try:
            return appointment_book(
                programme=programme,
                office=riga,
                consultant=Employee.objects.get(pk=slots[0].consultant_id),
                starts_at=slots[0].starts_at,
                via="desk",
                topic=topic,
                by=by,
                client=client,
                special_needs=client.special_needs,
                contact_phone=client.phone,
                contact_email=client.email,
                now=now,
            )
        except AppointmentError:
            return None

    booked = [
        a
        for a in (
            book(housing, "Mājokļa garantija jaunajai ģimenei", clients[0], staff["laura"]),
            book(start_up, "Starta aizdevums: dokumenti", clients[2], staff["laura"]),
            book(housing, "Garantijas apmērs un nosacījumi", clients[1], staff["laura"]),
        )
        if a is not None
    ]
    if booked:
        # Two more on the working day after the first booking's.
        day_after = timezone.localtime(booked[0].starts_at).date() + timedelta(days=1)
        after = timezone.make_aware(datetime.combine(day_after, datetime.min.time()))
        for client in clients[3:5]:
            book(housing, "Konsultācija par mājokļa garantiju", client, staff["anna"], after)
    first = appointment_walk_in(
        office=riga,
        programme=start_up,
        topic="Jautājums par mikroaizdevumu",
        by=staff["janis"],
        client=clients[0],
        contact_phone=clients[0].phone,
        contact_email=clients[0].email,
        now=now - timedelta(minutes=20),
    )
    if first.needs_identity_document:  # [CLIENT-ID] checked before the consultation starts
        appointment_step(appointment=first, step="identity_checked", by=staff["janis"], now=now)
    appointment_step(appointment=first, step="started", by=staff["janis"], now=now)
    appointment_walk_in(
        office=riga,
        programme=housing,
        topic="Mājokļa garantijas pieteikums",
        by=staff["anna"],
        client=clients[1],
        special_needs=clients[1].special_needs,
        contact_phone=clients[1].phone,
        contact_email=clients[1].email,
        now=now,
    )
