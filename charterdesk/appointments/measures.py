"""The measures of consultations in person, each counted from the appointment rows.

* [OFFICE-TIMELY] — a booked consultation started within N minutes (N: the policy's threshold) of
  the booked time, or of the client's arrival if the client came late: the office is not charged
  with the client's lateness.
* Walk-ins' waiting time — from arrival to the start.
* No-show rate and late-notice rate [CLIENT-LATE-NOTICE] — of the booked consultations whose time
  has come (cancelled ones excluded).
* Booking lead time — how far ahead the next free slot is, per office and programme (asked of the
  slot search now), and the median time from booking to the consultation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from charterdesk.appointments.day import DayVisit
from charterdesk.appointments.models import Appointment, AppointmentStatus, BookedVia
from charterdesk.appointments.selectors import free_slots
from charterdesk.directory.models import Office, Programme
from charterdesk.standard import get_policy

DEFAULT_TIMELY_MINUTES = 10.0


def timely_minutes() -> float:
    """N of [OFFICE-TIMELY], from the policy file."""
    policy = get_policy()
    if "OFFICE-TIMELY" in policy:
        threshold = policy["OFFICE-TIMELY"].threshold
        if threshold is not None:
            return float(threshold.value)
    return DEFAULT_TIMELY_MINUTES


def wait_minutes(a: Appointment) -> float | None:
    """Minutes from the booked time (or a late client's arrival) to the start."""
    if a.started_at is None:
        return None
    reference = a.arrived_at if a.walk_in else max(a.starts_at, a.arrived_at or a.starts_at)
    assert reference is not None
    return max(0.0, (a.started_at - reference) / timedelta(minutes=1))


@dataclass
class DaySummary:
    booked: int = 0
    walk_ins: int = 0
    arrived: int = 0
    started: int = 0
    finished: int = 0
    no_show: int = 0
    special_needs: int = 0


def day_summary(visits: Sequence[DayVisit]) -> DaySummary:
    s = DaySummary()
    for a in visits:
        if a.status == AppointmentStatus.CANCELLED:
            continue
        if a.walk_in:
            s.walk_ins += 1
        else:
            s.booked += 1
        s.arrived += a.arrived_at is not None
        s.started += a.started_at is not None
        s.finished += a.finished_at is not None
        s.no_show += a.status == AppointmentStatus.NO_SHOW
        s.special_needs += bool(a.special_needs)
    return s


@dataclass
class Measures:
    since: datetime
    until: datetime
    timely_minutes: float
    started_booked: int = 0
    timely: int = 0
    due: int = 0  # booked consultations whose time has come
    no_shows: int = 0
    late_notices: int = 0
    late_notices_in_advance: int = 0
    walk_in_waits: list[float] = field(default_factory=list)
    lead_days: list[float] = field(default_factory=list)
    next_free: list[tuple[Office, Programme, datetime | None]] = field(default_factory=list)

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def timely_rate(self) -> float | None:
        return self._rate(self.timely, self.started_booked)

    @property
    def no_show_rate(self) -> float | None:
        return self._rate(self.no_shows, self.due)

    @property
    def late_notice_rate(self) -> float | None:
        return self._rate(self.late_notices, self.due)

    @property
    def walk_in_wait_median(self) -> float | None:
        return median(self.walk_in_waits) if self.walk_in_waits else None

    @property
    def lead_days_median(self) -> float | None:
        return median(self.lead_days) if self.lead_days else None


def office_measures(
    *, now: datetime, days: int = 30, office: Office | None = None, with_next_free: bool = True
) -> Measures:
    since = now - timedelta(days=days)
    n = timely_minutes()
    m = Measures(since=since, until=now, timely_minutes=n)
    rows = Appointment.objects.filter(starts_at__gte=since, starts_at__lt=now).exclude(
        status=AppointmentStatus.CANCELLED
    )
    if office is not None:
        rows = rows.filter(office=office)
    for a in rows.only(
        "booked_via",
        "status",
        "starts_at",
        "arrived_at",
        "started_at",
        "late_notice_at",
        "created_at",
    ):
        wait = wait_minutes(a)
        if a.booked_via == BookedVia.WALK_IN:
            if wait is not None:
                m.walk_in_waits.append(wait)
            continue
        m.due += 1
        m.lead_days.append((a.starts_at - a.created_at) / timedelta(days=1))
        if a.status == AppointmentStatus.NO_SHOW:
            m.no_shows += 1
        if a.late_notice_at is not None:
            m.late_notices += 1
            m.late_notices_in_advance += a.late_notice_at < a.starts_at
        if wait is not None:
            m.started_booked += 1
            m.timely += wait <= n
    if with_next_free:
        offices = [office] if office is not None else list(Office.objects.filter(is_active=True))
        for programme in Programme.objects.filter(is_active=True):
            for o in offices:
                found = free_slots(programme, offices=[o], now=now, limit=1)
                m.next_free.append((o, programme, found[0].starts_at if found else None))
    return m
