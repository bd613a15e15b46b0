"""Reads: free slots across offices and consultants, one office's day, a consultant's day.

``free_slots`` answers with a constant number of queries, whatever the number of offices and
consultants: the competent consultants, their plans, exceptions and leave once; then the live
appointments a week at a time until enough slots are found.  Office calendars come from the
per-process cache of ``charterdesk.calendar``.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import BigIntegerField, Func, Q, QuerySet
from django.utils import timezone

from charterdesk.appointments.models import (
    Appointment,
    AppointmentStatus,
    BookingRule,
    ConsultantException,
    ConsultantLeave,
    ConsultantPlan,
    PlanRevision,
)
from charterdesk.appointments.slots import (
    Rule,
    Slot,
    Window,
    epoch_windows,
    intersect,
    merge,
    starts,
)
from charterdesk.appointments.slots import to_local as _to_local
from charterdesk.calendar import get_calendar
from charterdesk.calendar.kinds import DayKind
from charterdesk.cases.access import cases_visible_to
from charterdesk.directory.models import Employee, Office, Programme

TZ = ZoneInfo("Europe/Riga")
CHUNK_DAYS = 7


def plan_weekday(day: date) -> int:
    """The weekday whose plans apply on ``day``: a Saturday worked in exchange for a moved working
    day (national calendar) follows the plans of that day's weekday."""
    info = get_calendar(None).national_day(day)
    if info is not None and info.kind is DayKind.WORKING and info.replaces is not None:
        return info.replaces.weekday()
    return day.weekday()


def rule_for(programme: Programme) -> Rule:
    """The programme's booking rule (the defaults of :class:`Rule` if none is configured)."""
    row = BookingRule.objects.filter(programme=programme).first()
    if row is None:
        return Rule()
    return Rule(
        length=timedelta(minutes=row.duration_minutes),
        before=timedelta(minutes=row.buffer_before_minutes),
        after=timedelta(minutes=row.buffer_after_minutes),
        step=timedelta(minutes=row.step_minutes),
        min_notice=timedelta(minutes=row.min_notice_minutes),
        horizon_days=row.horizon_days,
    )


def competent_consultants(programme: Programme) -> QuerySet[Employee]:
    """Active employees who hold the programme's competence: only they are offered."""
    return Employee.objects.filter(is_active=True, competences=programme)


@dataclass
class _Plans:
    weekly: dict[int, list[tuple[int, int, time, time, date | None, date | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    exceptions: dict[tuple[int, date], list[tuple[int | None, time | None, time | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    leave: dict[int, list[tuple[date, date]]] = field(default_factory=lambda: defaultdict(list))

    def for_day(self, day: date, weekday: int) -> dict[tuple[int, int], list[Window]]:
        """(consultant, office) → the consultant's windows there on ``day``, whose weekly plan is
        that of ``weekday`` (a Saturday worked in exchange follows the plan of the moved day)."""
        out: dict[tuple[int, int], list[Window]] = defaultdict(list)
        replaced = {emp for (emp, d) in self.exceptions if d == day}
        for emp, office, opens, closes, valid_from, valid_until in self.weekly.get(weekday, ()):
            if emp in replaced:
                continue
            if (valid_from and day < valid_from) or (valid_until and day > valid_until):
                continue
            out[(emp, office)].append((opens, closes))
        for emp in replaced:
            for ex_office, ex_starts, ex_ends in self.exceptions[(emp, day)]:
                if ex_office is not None and ex_starts is not None and ex_ends is not None:
                    out[(emp, ex_office)].append((ex_starts, ex_ends))
        for key in [k for k in out if self._on_leave(k[0], day)]:
            del out[key]
        return out

    def _on_leave(self, emp: int, day: date) -> bool:
        return any(first <= day <= last for first, last in self.leave.get(emp, ()))


_weekly_cache: dict[
    str, dict[int, list[tuple[int, int, time, time, date | None, date | None]]]
] = {}


def plans_changed(**kwargs: Any) -> None:
    """Signal receiver: a plan, exception or leave was saved or deleted."""
    PlanRevision.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})
    _weekly_cache.clear()


def _weekly_plans() -> dict[int, list[tuple[int, int, time, time, date | None, date | None]]]:
    """Every weekly plan row by weekday, cached per process until the plan revision changes."""
    token = PlanRevision.objects.filter(pk=1).values_list("token", flat=True).first() or ""
    cached = _weekly_cache.get(token)
    if cached is None:
        cached = defaultdict(list)
        for r in ConsultantPlan.objects.values_list(
            "employee_id", "office_id", "weekday", "starts", "ends", "valid_from", "valid_until"
        ):
            cached[r[2]].append((r[0], r[1], r[3], r[4], r[5], r[6]))
        _weekly_cache.clear()
        _weekly_cache[token] = cached
    return cached


def _load_plans(
    consultant_ids: list[int], office_ids: set[int] | None, first: date, last: date
) -> _Plans:
    plans = _Plans()
    wanted = set(consultant_ids)
    for weekday, rows in _weekly_plans().items():
        plans.weekly[weekday] = [
            r for r in rows if r[0] in wanted and (office_ids is None or r[1] in office_ids)
        ]
    for e in ConsultantException.objects.filter(
        employee_id__in=consultant_ids, date__range=(first, last)
    ).values_list("employee_id", "date", "office_id", "starts", "ends"):
        office = e[2] if office_ids is None or e[2] in office_ids else None
        plans.exceptions[(e[0], e[1])].append((office, e[3], e[4]))
    for lv in ConsultantLeave.objects.filter(
        employee_id__in=consultant_ids, first_day__lte=last, last_day__gte=first
    ).values_list("employee_id", "first_day", "last_day"):
        plans.leave[lv[0]].append((lv[1], lv[2]))
    return plans


class Epoch(Func):
    """A timestamp column as integer seconds since 1970 (no datetime object per row)."""

    output_field = BigIntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="CAST(EXTRACT(EPOCH FROM %(expressions)s) AS bigint)"
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="CAST(strftime('%%%%s', %(expressions)s) AS integer)"
        )


def _busy(
    consultant_ids: list[int], first: date, last: date, exclude: int | None
) -> dict[int, list[tuple[int, int]]]:
    """The consultants' blocked ranges overlapping [first, last] (epoch seconds, sorted)."""
    lo = datetime.combine(first, time(0), tzinfo=TZ)
    hi = datetime.combine(last + timedelta(days=1), time(0), tzinfo=TZ)
    rows = Appointment.objects.filter(
        consultant_id__in=consultant_ids, blocked_from__lt=hi, blocked_until__gt=lo
    ).exclude(status=AppointmentStatus.CANCELLED)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    out: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for emp, a, b in rows.values_list(
        "consultant_id", Epoch("blocked_from"), Epoch("blocked_until")
    ):
        out[emp].append((a, b))
    for ranges in out.values():
        ranges.sort()
    return out


def free_slots(
    programme: Programme,
    *,
    offices: Iterable[Office] | None = None,
    consultant: Employee | None = None,
    after: datetime | None = None,
    limit: int = 10,
    now: datetime | None = None,
    until_day: date | None = None,
    exclude_appointment: int | None = None,
) -> list[Slot]:
    """The ``limit`` earliest free slots for ``programme`` (any office [OFFICE-ANY], or those
    given), from ``after`` (default: now) within the programme's notice and horizon."""
    now = now or timezone.now()
    rule = rule_for(programme)
    consultants = competent_consultants(programme)
    if consultant is not None:
        consultants = consultants.filter(pk=consultant.pk)
    if offices is not None:
        office_ids = [o.pk for o in offices]
        consultants = consultants.filter(
            Q(plans__office__in=office_ids) | Q(plan_exceptions__office__in=office_ids)
        )
    consultant_ids = sorted(set(consultants.values_list("pk", flat=True)))
    office_rows = Office.objects.filter(is_active=True)
    if offices is not None:
        office_rows = office_rows.filter(pk__in=[o.pk for o in offices])
    office_map = {o.pk: o for o in office_rows}
    if not consultant_ids or not office_map:
        return []
    earliest = _to_local(max(now + rule.min_notice, after or now), TZ)
    first = earliest.date()
    last = _to_local(now, TZ).date() + timedelta(days=rule.horizon_days)
    if until_day is not None:
        last = min(last, until_day)
    if first > last:
        return []
    plans = _load_plans(consultant_ids, set(office_map), first, last)
    found: list[Slot] = []
    office_days: dict[tuple[int, date], list[Window]] = {}
    windows_at: dict[tuple[date, tuple[Window, ...]], list[tuple[int, int]]] = {}
    earliest_s = int(max(now + rule.min_notice, after or now).timestamp())
    length_s = int(rule.length.total_seconds())
    chunk_start = first
    chunk_days = 1  # a day first: usually enough; then wider reads (3, then 7 days)
    while chunk_start <= last and len(found) < limit:
        chunk_end = min(last, chunk_start + timedelta(days=chunk_days - 1))
        chunk_days = 3 if chunk_days == 1 else CHUNK_DAYS
        busy = _busy(consultant_ids, chunk_start, chunk_end, exclude_appointment)
        day = chunk_start
        while day <= chunk_end:
            today: list[tuple[int, int, int]] = []
            for (emp, office_id), windows in plans.for_day(day, plan_weekday(day)).items():
                office = office_map.get(office_id)
                if office is None:
                    continue
                key = (office.schedule_id or 0, day)
                if key not in office_days:
                    office_days[key] = list(get_calendar(office).day(day).intervals)
                open_windows = tuple(intersect(office_days[key], merge(windows)))
                if not open_windows:
                    continue
                wkey = (day, open_windows)
                if wkey not in windows_at:
                    windows_at[wkey] = epoch_windows(day, open_windows, TZ)
                for s in starts(
                    windows_at[wkey], busy.get(emp, ()), rule, earliest=earliest_s, limit=limit
                ):
                    today.append((s, office_id, emp))
            today.sort()
            for s, office_id, emp in today[: limit - len(found)]:
                found.append(
                    Slot(
                        datetime.fromtimestamp(s, TZ),
                        datetime.fromtimestamp(s + length_s, TZ),
                        office_id,
                        emp,
                    )
                )
            if len(found) >= limit:
                break
            day += timedelta(days=1)
        chunk_start = chunk_end + timedelta(days=1)
    return found[:limit]


def slot_is_free(
    programme: Programme,
    *,
    office: Office,
    consultant: Employee,
    starts_at: datetime,
    now: datetime | None = None,
    exclude_appointment: int | None = None,
) -> bool:
    """Is ``starts_at`` one of the consultant's free slots at ``office`` (rules and all)?"""
    local = _to_local(starts_at, TZ)
    slots = free_slots(
        programme,
        offices=[office],
        consultant=consultant,
        after=starts_at,
        limit=1,
        now=now,
        until_day=local.date(),
        exclude_appointment=exclude_appointment,
    )
    return bool(slots) and slots[0].starts_at == starts_at


def office_day(office: Office, day: date, *, who: Any = None) -> list[Appointment]:
    """Every visit of ``office`` on ``day`` whose case ``who`` may see (``cases/access.py``;
    ``None``: the system, all), for the day view."""
    lo = datetime.combine(day, time(0), tzinfo=TZ)
    hi = lo.replace(tzinfo=None) + timedelta(days=1)
    rows = (
        Appointment.objects.filter(
            office=office, starts_at__gte=lo, starts_at__lt=hi.replace(tzinfo=TZ)
        )
        .select_related("case", "case__client", "programme", "consultant")
        .order_by("starts_at", "id")
    )
    if who is not None:
        rows = rows.filter(case__in=cases_visible_to(who))
    return list(rows)
