"""The office's day: every visit of one office on one day, for the day view and its measures,
read in one query (``office_day``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from charterdesk.appointments.models import Appointment, BookedVia
from charterdesk.cases.access import cases_visible_to
from charterdesk.core.dates import RIGA as TZ
from charterdesk.directory.models import Employee, Office, Programme


@dataclass(frozen=True, slots=True)
class DayClient:
    name: str


@dataclass(frozen=True, slots=True)
class DayCase:
    reference: str
    client: DayClient


@dataclass(frozen=True, slots=True)
class DayVisit:
    """One visit of the office's day view: what ``daysheet.rows`` and ``measures.day_summary``
    read, from one row of one query (no model instance per visit and per joined row; the few
    programmes and consultants of the day are one instance each)."""

    pk: int
    case_id: int
    starts_at: datetime
    status: str
    booked_via: str
    topic: str
    special_needs: str
    needs_identity_document: bool
    arrived_at: datetime | None
    late_minutes: int | None
    identity_checked_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    case: DayCase
    programme: Programme
    consultant: Employee | None

    @property
    def walk_in(self) -> bool:
        return self.booked_via == BookedVia.WALK_IN


_DAY_COLUMNS = (
    "pk",
    "case_id",
    "starts_at",
    "status",
    "booked_via",
    "topic",
    "special_needs",
    "needs_identity_document",
    "arrived_at",
    "late_minutes",
    "identity_checked_at",
    "started_at",
    "finished_at",
    "case__reference",
    "case__client__name",
    "programme_id",
    "programme__name_lv",
    "programme__name_en",
    "consultant_id",
    "consultant__first_name",
    "consultant__surname",
)


def office_day(office: Office, day: date, *, who: Any = None) -> list[DayVisit]:
    """Every visit of ``office`` on ``day`` whose case ``who`` may see (``cases/access.py``;
    ``None``: the system, all), for the day view: one query, the case, client, programme and
    consultant joined, only the columns the day view shows."""
    lo = datetime.combine(day, time(0), tzinfo=TZ)
    hi = datetime.combine(day + timedelta(days=1), time(0), tzinfo=TZ)
    rows = Appointment.objects.filter(office=office, starts_at__gte=lo, starts_at__lt=hi)
    if who is not None:
        rows = rows.filter(case__in=cases_visible_to(who))
    programmes: dict[int, Programme] = {}
    consultants: dict[int, Employee] = {}
    out = []
    for row in rows.order_by("starts_at", "id").values_list(*_DAY_COLUMNS):
        reference, client, prog_id, name_lv, name_en, emp_id, first, surname = row[13:]
        if prog_id not in programmes:
            programmes[prog_id] = Programme(pk=prog_id, name_lv=name_lv, name_en=name_en)
        consultant = None
        if emp_id is not None:
            if emp_id not in consultants:
                consultants[emp_id] = Employee(pk=emp_id, first_name=first, surname=surname)
            consultant = consultants[emp_id]
        out.append(
            DayVisit(
                pk=row[0],
                case_id=row[1],
                starts_at=row[2],
                status=row[3],
                booked_via=row[4],
                topic=row[5],
                special_needs=row[6],
                needs_identity_document=row[7],
                arrived_at=row[8],
                late_minutes=row[9],
                identity_checked_at=row[10],
                started_at=row[11],
                finished_at=row[12],
                case=DayCase(reference, DayClient(client)),
                programme=programmes[prog_id],
                consultant=consultant,
            )
        )
    return out
