"""The slot search's candidate windows per day: each planned consultant's open windows at each
office searched (the office's business day intersected with the plan, epoch seconds, at least a
consultation long), without the windows the per-day sums prove booked full (``loads.py``).

A day's open windows depend only on the plans (the plan revision's token), the offices'
calendars and the consultation's length: they are kept per process for the last few searches
(the same programme and offices asked again), dropped when the token or a calendar changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from charterdesk.appointments.loads import DAY_S, DayLoads, Row
from charterdesk.appointments.plans import Plans, days_cache, days_lock
from charterdesk.appointments.slots import Window, epoch_windows, intersect, merge
from charterdesk.calendar import get_calendar
from charterdesk.calendar.business import BusinessCalendar
from charterdesk.calendar.kinds import DayKind

TZ = ZoneInfo("Europe/Riga")
KEPT_SEARCHES = 8


def plan_weekday(day: date) -> int:
    """The weekday whose plans apply on ``day``: a Saturday worked in exchange for a moved working
    day (national calendar) follows the plans of that day's weekday."""
    info = get_calendar(None).national_day(day)
    if info is not None and info.kind is DayKind.WORKING and info.replaces is not None:
        return info.replaces.weekday()
    return day.weekday()


@dataclass(frozen=True, slots=True)
class _ScheduleOf:
    """What ``get_calendar`` needs of an office: its schedule."""

    schedule_id: int | None


@dataclass
class _Kept:
    calendars: tuple[BusinessCalendar, ...]  # the calendar objects the days were computed on
    days: dict[date, list[Row]]


def start_of(day: date) -> int:
    return int(datetime.combine(day, time(0), tzinfo=TZ).timestamp())


class Days:
    """One search's candidate windows, day by day.  The office's business day per (schedule,
    date), and a plan's open windows on it per (schedule, date, plan windows) are computed once:
    most consultants share both."""

    def __init__(
        self,
        token: str,
        plans: Plans,
        schedules: dict[int, int | None],
        length_s: int,
        loads: DayLoads,
    ) -> None:
        self.plans = plans
        self.schedules = schedules
        self.length_s = length_s
        self.loads = loads
        self.office_days: dict[tuple[int, date], list[Window]] = {}
        self.open_at: dict[tuple[int, date, tuple[Window, ...]], list[tuple[int, int]]] = {}
        self.filtered: dict[date, list[Row]] = {}
        ids = sorted({s or 0 for s in schedules.values()})
        calendars = (get_calendar(None), *(get_calendar(_ScheduleOf(s)) for s in ids))
        key = (token, plans.key(), tuple(sorted(schedules.items())), length_s)
        with days_lock:  # threads of one process share the cache
            kept: _Kept | None = days_cache.get(key)
            if kept is None or any(
                a is not b for a, b in zip(kept.calendars, calendars, strict=True)
            ):
                kept = _Kept(calendars, {})
                days_cache[key] = kept
                while len(days_cache) > KEPT_SEARCHES:
                    days_cache.popitem(last=False)
            days_cache.move_to_end(key)
        self.open_days = kept.days

    def _open(self, day: date) -> list[Row]:
        rows = self.open_days.get(day)
        if rows is not None:
            return rows
        rows = []
        for (emp, office_id), windows in self.plans.for_day(day, plan_weekday(day)).items():
            if office_id not in self.schedules:
                continue
            schedule = self.schedules[office_id] or 0
            if (schedule, day) not in self.office_days:
                calendar = get_calendar(_ScheduleOf(self.schedules[office_id]))
                self.office_days[(schedule, day)] = list(calendar.day(day).intervals)
            wkey = (schedule, day, tuple(windows))
            if wkey not in self.open_at:
                self.open_at[wkey] = [
                    (w_lo, w_hi)
                    for w_lo, w_hi in epoch_windows(
                        day, intersect(self.office_days[(schedule, day)], merge(windows)), TZ
                    )
                    if w_hi - w_lo >= self.length_s
                ]
            if self.open_at[wkey]:
                rows.append((emp, office_id, self.open_at[wkey]))
        self.open_days[day] = rows
        return rows

    def candidates(self, day: date, earliest: int, use_loads: bool) -> list[Row]:
        """(consultant, office, open windows) of ``day``; with ``use_loads`` without the windows
        that leave no consultation's length free from ``earliest`` on by the per-day sums."""
        rows = self._open(day)
        if not use_loads:
            return rows
        day_lo = start_of(day)
        whole_day = earliest <= day_lo
        if whole_day and day in self.filtered:
            return self.filtered[day]
        self.loads.cover((day_lo - DAY_S) // DAY_S, (day_lo + 2 * DAY_S) // DAY_S)
        kept = self.loads.not_full(rows, earliest, self.length_s)
        if whole_day:
            self.filtered[day] = kept
        return kept

    def skip_full(self, earliest: int, last: date) -> int:
        """The earliest moment from ``earliest`` that may start a slot: the first candidate
        window's opening on the first day with one left (past ``last``: that day's midnight)."""
        day = datetime.fromtimestamp(earliest, TZ).date()
        while day <= last:
            rows = self.candidates(day, earliest, True)
            if rows:
                return max(earliest, min(w[0][0] for _emp, _office, w in rows))
            day += timedelta(days=1)
            earliest = max(earliest, start_of(day))
        return earliest
