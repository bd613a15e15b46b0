"""The calendar of an office, built from the database and cached per process.

An office uses its own schedule, else the institution-wide default schedule, else (nothing
configured at all) Monday–Friday 08:30–17:00.  National days come from the ``holidays`` package
with the ``CalendarOverride`` rows on top; an office's ``ScheduleException`` rows win over both.

Calendars are cached per process.  A change made through the admin or ``services`` bumps the
``CalendarRevision`` row and clears this process's cache at once; other processes notice the new
revision within ``REVISION_CHECK_SECONDS``.
"""

from __future__ import annotations

import threading
import time as monotonic_time
from datetime import date
from typing import Any

from charterdesk.calendar.business import FALLBACK_WEEKLY, BusinessCalendar, Interval
from charterdesk.calendar.kinds import DayInfo, DayKind
from charterdesk.calendar.models import CalendarOverride, CalendarRevision, Schedule

REVISION_CHECK_SECONDS = 2.0
TIME_ZONE = "Europe/Riga"


_lock = threading.Lock()
_cache: dict[int | None, BusinessCalendar] = {}
_default_id: list[int | None] = []  # [] = not looked up yet
_overrides: list[dict[date, DayInfo]] = []
_revision: list[int] = []
_checked_at: list[float] = [0.0]


def current_revision() -> int:
    row = CalendarRevision.objects.filter(pk=1).values_list("number", flat=True).first()
    return int(row or 0)


def clear_cache() -> None:
    """Forget every cached calendar of this process (the next question rebuilds)."""
    with _lock:
        _cache.clear()
        _default_id.clear()
        _overrides.clear()
        _revision.clear()
        _checked_at[0] = 0.0


def _check_revision() -> None:
    now = monotonic_time.monotonic()
    if _revision and now - _checked_at[0] < REVISION_CHECK_SECONDS:
        return
    number = current_revision()
    with _lock:
        if _revision and _revision[0] != number:
            _cache.clear()
            _default_id.clear()
            _overrides.clear()
        _revision[:] = [number]
        _checked_at[0] = now


def _load_overrides() -> dict[date, DayInfo]:
    if not _overrides:
        rows = CalendarOverride.objects.all()
        _overrides.append(
            {row.date: DayInfo(DayKind(row.kind), row.name, row.replaces) for row in rows}
        )
    return _overrides[0]


def _default_schedule_id() -> int | None:
    if not _default_id:
        _default_id.append(
            Schedule.objects.filter(is_default=True).values_list("pk", flat=True).first()
        )
    return _default_id[0]


def _schedule_id_for(office: Any) -> int | None:
    """``office``: None (the default schedule) or anything with a ``schedule_id`` (an office)."""
    if office is None:
        return _default_schedule_id()
    return office.schedule_id or _default_schedule_id()


def build_calendar(schedule: Schedule | None) -> BusinessCalendar:
    """A fresh calendar for ``schedule`` (None: the built-in Mon–Fri 08:30–17:00)."""
    overrides = _load_overrides()
    if schedule is None:
        return BusinessCalendar(FALLBACK_WEEKLY, overrides=overrides, tz=TIME_ZONE, name="Mon–Fri")
    weekly: dict[int, list[Interval]] = {}
    for hours in schedule.hours.all():
        weekly.setdefault(hours.weekday, []).append((hours.opens, hours.closes))
    exceptions: dict[date, list[Interval]] = {}
    for exc in schedule.exceptions.all():
        if exc.closed or exc.opens is None or exc.closes is None:
            exceptions[exc.date] = []
        else:
            exceptions[exc.date] = [(exc.opens, exc.closes)]
    return BusinessCalendar(
        weekly, exceptions=exceptions, overrides=overrides, tz=TIME_ZONE, name=schedule.name
    )


def get_calendar(office: Any = None) -> BusinessCalendar:
    """The calendar of ``office`` (an ``Office``, or anything with its ``schedule_id``; None: the
    default schedule).  An office by code or id: ``directory.calendars.office_calendar``."""
    _check_revision()
    schedule_id = _schedule_id_for(office)
    calendar = _cache.get(schedule_id)
    if calendar is None:
        schedule = (
            Schedule.objects.prefetch_related("hours", "exceptions").filter(pk=schedule_id).first()
            if schedule_id is not None
            else None
        )
        calendar = build_calendar(schedule)
        with _lock:
            _cache[schedule_id] = calendar
    return calendar
