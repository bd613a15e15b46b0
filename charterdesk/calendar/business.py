"""Working-time arithmetic on one office's calendar: pure Python, no Django.

A :class:`BusinessCalendar` is built from weekly hours, dated exceptions and the national day kinds
(public holiday, day off, worked Saturday, shortened day).  For the years it is asked about it
precomputes every working interval as integer microseconds since the epoch, with running totals of
working time, so that every question is a binary search (``bisect``) and a little arithmetic: no
time-zone work happens per question except turning the answer into an aware datetime.

Definitions (``docs/business-time.md`` has the table of examples):

* Working time is the union of the day's intervals ``[opens, closes)`` in Europe/Riga wall-clock
  time.  A moment exactly at a closing time is *not* working time, but a deadline may fall exactly
  there ("by 17:00").
* The working day before a public holiday is one hour shorter (Labour Law, section 135): the last
  hour of its last interval(s) is cut.  A Saturday worked in exchange for a moved working day gets
  that day's hours, and its shortening if the moved day was the eve of a public holiday.
* :meth:`~BusinessCalendar.end_of_working_day` ("the same working day"): the closing moment of the
  working day on which the moment falls, if it falls before that closing; otherwise the closing of
  the next working day.
* :meth:`~BusinessCalendar.add_working_days` ("within N working days"): the same wall-clock time on
  the N-th next working day, counted from the moment itself if it is working time, else from the
  next working moment.  Where that day has no working time at that clock time, the due moment is
  the day's next working moment after it (a later opening, the end of a break), or the day's
  closing if the clock time is after it (a shortened day).
* :meth:`~BusinessCalendar.add_working_hours` counts only working time; a result that lands on a
  closing moment stays there (4 working hours from 13:00 is 17:00, not 08:30 next day).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from charterdesk.calendar.kinds import DayInfo, DayKind
from charterdesk.calendar.national import latvian_days

US = 1_000_000  # microseconds per second
DAY_US = 86_400 * US
_EPOCH_DATE = date(1970, 1, 1)
_EPOCH = datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))

Interval = tuple[time, time]
NationalSource = Callable[[int], Mapping[date, DayInfo]]

#: Mon–Fri 08:30–17:00: the hours used when no schedule has been configured at all.
FALLBACK_WEEKLY: Mapping[int, Sequence[Interval]] = {
    weekday: ((time(8, 30), time(17, 0)),) for weekday in range(5)
}


class CalendarError(ValueError):
    """A question the calendar cannot answer as asked (a naive datetime, a bad schedule)."""


@dataclass(frozen=True, slots=True)
class DayPlan:
    """What one date is in this calendar: its kind, its working intervals and why."""

    date: date
    kind: str  # "working", "shortened" or "off"
    intervals: tuple[Interval, ...]
    name: str = ""  # the holiday's or the exception's name
    source: str = "weekly"  # "weekly", "national", "override", "exception"

    @property
    def working(self) -> bool:
        return bool(self.intervals)

    @property
    def duration(self) -> timedelta:
        total = timedelta()
        for opens, closes in self.intervals:
            total += _seconds(closes) - _seconds(opens)
        return total


def _seconds(t: time) -> timedelta:
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond)


def _time_from_seconds(total: int) -> time:
    return time(total // 3600, total // 60 % 60, total % 60)


def shorten(intervals: Sequence[Interval], by: timedelta) -> tuple[Interval, ...]:
    """Cut ``by`` off the end of the day's working time (across a break if need be)."""
    remaining = int(by.total_seconds())
    out = [
        (int(_seconds(a).total_seconds()), int(_seconds(b).total_seconds())) for a, b in intervals
    ]
    while remaining > 0 and out:
        opens, closes = out[-1]
        if closes - opens > remaining:
            out[-1] = (opens, closes - remaining)
            remaining = 0
        else:
            remaining -= closes - opens
            out.pop()
    return tuple((_time_from_seconds(a), _time_from_seconds(b)) for a, b in out)


def _normalise(intervals: Iterable[Interval], where: str) -> tuple[Interval, ...]:
    items = sorted(intervals)
    for opens, closes in items:
        if not opens < closes:
            raise CalendarError(
                f"{where}: opening {opens:%H:%M} is not before closing {closes:%H:%M}"
            )
    for (_, closes), (opens, _) in pairwise(items):
        if opens < closes:
            raise CalendarError(f"{where}: intervals overlap at {opens:%H:%M}")
    return tuple(items)


_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class BusinessCalendar:
    """Working time of one office (or the institution's default), in its time zone.

    ``weekly`` maps a weekday (0 = Monday) to its intervals; ``exceptions`` maps a date to that
    date's intervals (empty = closed), and wins over everything else; ``national`` gives a year's
    national day kinds (default: Latvia from the ``holidays`` package); ``overrides`` are dated
    national corrections (database rows) that win over ``national``.
    """

    def __init__(
        self,
        weekly: Mapping[int, Sequence[Interval]] | None = None,
        *,
        exceptions: Mapping[date, Sequence[Interval]] | None = None,
        national: NationalSource | None = latvian_days,
        overrides: Mapping[date, DayInfo] | None = None,
        tz: str | ZoneInfo = "Europe/Riga",
        shortening: timedelta = timedelta(hours=1),
        name: str = "",
    ) -> None:
        weekly = FALLBACK_WEEKLY if weekly is None else weekly
        self.name = name
        self.tz = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
        self.shortening = shortening
        self.weekly: dict[int, tuple[Interval, ...]] = {}
        for weekday, intervals in weekly.items():
            if weekday not in range(7):
                raise CalendarError(f"weekday {weekday!r} is not 0 (Monday) … 6 (Sunday)")
            normal = _normalise(intervals, _WEEKDAY_NAMES[weekday])
            if normal:
                self.weekly[weekday] = normal
        self.exceptions: dict[date, tuple[Interval, ...]] = {
            day: _normalise(intervals, f"{day:%Y-%m-%d}")
            for day, intervals in (exceptions or {}).items()
        }
        self._national = national
        self.overrides: dict[date, DayInfo] = dict(overrides or {})
        # Precomputed intervals for the years [_y0, _y1]; see _build.
        self._y0 = self._y1 = 0
        # Moments in [_safe_lo, _safe_hi) have a whole precomputed year before and after them.
        self._safe_lo = self._safe_hi = 0
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._lstarts: list[int] = []  # wall-clock ("local naive") µs of each start
        self._cum_end: list[int] = []  # working µs from the range start to each interval's end
        self._cum_start: list[int] = []
        self._wdays: list[int] = []  # local day numbers (days since 1970-01-01) with working time
        self._wfirst: list[int] = []  # index of the first interval of each working day
        self._wlast: list[int] = []
        self._lends_by_day: list[list[int]] = []

    # --- the national calendar and day plans ----------------------------------------------------

    def national_day(self, day: date) -> DayInfo | None:
        """The national kind of ``day`` (an override, else the package), or None if ordinary."""
        info = self.overrides.get(day)
        if info is None and self._national is not None:
            info = self._national(day.year).get(day)
        return info

    def _is_public_holiday(self, day: date) -> bool:
        info = self.national_day(day)
        return info is not None and info.kind is DayKind.HOLIDAY

    def day(self, day: date) -> DayPlan:
        """The plan of one date: working, shortened or off, with its intervals."""
        if day in self.exceptions:
            intervals = self.exceptions[day]
            return DayPlan(day, "working" if intervals else "off", intervals, source="exception")
        info = self.national_day(day)
        source = "override" if day in self.overrides else "national"
        if info is not None and info.kind in (DayKind.HOLIDAY, DayKind.DAY_OFF):
            return DayPlan(day, "off", (), info.name, source)
        intervals = self.weekly.get(day.weekday(), ())
        name = info.name if info else ""
        if info is not None and not intervals:
            # A day worked by national decision on which the office does not normally work (a
            # Saturday worked in exchange): the hours of the day moved onto it, else the hours of
            # the last working weekday before it.
            if info.replaces is not None and info.replaces.weekday() in self.weekly:
                intervals = self.weekly[info.replaces.weekday()]
            else:
                for back in range(1, 7):
                    weekday = (day.weekday() - back) % 7
                    if weekday in self.weekly:
                        intervals = self.weekly[weekday]
                        break
        if not intervals:
            return DayPlan(day, "off", (), name, "weekly")
        shortened = (
            (info is not None and info.kind is DayKind.SHORTENED)
            or self._is_public_holiday(day + timedelta(days=1))
            or (
                info is not None
                and info.replaces is not None
                and self._is_public_holiday(info.replaces + timedelta(days=1))
            )
        )
        if shortened:
            short = shorten(intervals, self.shortening)
            if not short:
                return DayPlan(day, "off", (), name, source)
            return DayPlan(day, "shortened", short, name, source if info else "national")
        return DayPlan(day, "working", intervals, name, source if info else "weekly")

    def days(self, year: int) -> list[DayPlan]:
        first = date(year, 1, 1)
        return [
            self.day(first + timedelta(days=i)) for i in range((date(year + 1, 1, 1) - first).days)
        ]

    # --- precomputation --------------------------------------------------------------------------

    def _epoch_us(self, day: date, t: time) -> int:
        return int(datetime.combine(day, t, tzinfo=self.tz).timestamp()) * US + t.microsecond

    def _offset_us(self, epoch_us: int) -> int:
        moment = _EPOCH + timedelta(microseconds=epoch_us)
        offset = moment.astimezone(self.tz).utcoffset()
        return int(offset.total_seconds()) * US if offset is not None else 0

    def _build(self, y0: int, y1: int) -> None:
        starts: list[int] = []
        ends: list[int] = []
        lstarts: list[int] = []
        day_of: list[int] = []
        first = date(y0, 1, 1)
        for i in range((date(y1 + 1, 1, 1) - first).days):
            day = first + timedelta(days=i)
            daynum = (day - _EPOCH_DATE).days
            for opens, closes in self.day(day).intervals:
                start = self._epoch_us(day, opens)
                end = self._epoch_us(day, closes)
                lstart = daynum * DAY_US + int(_seconds(opens).total_seconds() * US)
                # An interval across a DST change is split where the offset changes, so that within
                # each piece wall-clock time and epoch time run in step.
                if self._offset_us(start) != self._offset_us(end - 1):
                    lo, hi = start, end - 1
                    before = self._offset_us(start)
                    while hi - lo > 1:
                        mid = (lo + hi) // 2
                        if self._offset_us(mid) == before:
                            lo = mid
                        else:
                            hi = mid
                    starts.append(start)
                    ends.append(hi)
                    lstarts.append(lstart)
                    day_of.append(daynum)
                    lstart, start = hi + self._offset_us(hi), hi
                if end > start:
                    starts.append(start)
                    ends.append(end)
                    lstarts.append(lstart)
                    day_of.append(daynum)
        cum_end: list[int] = []
        cum_start: list[int] = []
        total = 0
        for start, end in zip(starts, ends, strict=True):
            cum_start.append(total)
            total += end - start
            cum_end.append(total)
        wdays: list[int] = []
        wfirst: list[int] = []
        wlast: list[int] = []
        lends_by_day: list[list[int]] = []
        for index, daynum in enumerate(day_of):
            lend = lstarts[index] + ends[index] - starts[index]
            if not wdays or wdays[-1] != daynum:
                wdays.append(daynum)
                wfirst.append(index)
                wlast.append(index)
                lends_by_day.append([lend])
            else:
                wlast[-1] = index
                lends_by_day[-1].append(lend)
        self._y0, self._y1 = y0, y1
        self._safe_lo = self._epoch_us(date(y0 + 1, 1, 1), time(0))
        self._safe_hi = self._epoch_us(date(y1, 1, 1), time(0))
        self._starts, self._ends, self._lstarts = starts, ends, lstarts
        self._cum_start, self._cum_end = cum_start, cum_end
        self._wdays, self._wfirst, self._wlast = wdays, wfirst, wlast
        self._lends_by_day = lends_by_day

    def _cover_year(self, year: int) -> None:
        if year < 1 or year > 9998:
            raise CalendarError(f"year {year} is outside the calendar")
        if not self._starts and self._y0 == 0:
            self._build(year - 1, year + 1)
        elif year < self._y0 + 1:
            self._build(min(year - 1, self._y0), self._y1)
        elif year > self._y1 - 1:
            self._build(self._y0, max(year + 1, self._y1))
        else:
            return
        if not self._starts:
            raise CalendarError(f"the calendar '{self.name}' has no working time at all")

    def _cover(self, us: int) -> None:
        # Every question is answered with at least a whole year of precomputed days either side.
        if not self._safe_lo <= us < self._safe_hi:
            year = (_EPOCH + timedelta(microseconds=us)).astimezone(self.tz).year
            self._cover_year(year)

    def _widen(self, forward: bool) -> None:
        if forward:
            self._cover_year(self._y1 + 1)
        else:
            self._cover_year(self._y0 - 1)

    # --- conversions -----------------------------------------------------------------------------

    def _us(self, moment: datetime) -> int:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise CalendarError(
                f"{moment.isoformat()} has no time zone; give an aware datetime (e.g. +02:00)"
            )
        us = round(moment.timestamp() * US)
        self._cover(us)
        return us

    def _dt(self, us: int) -> datetime:
        return datetime.fromtimestamp(us / US, self.tz)

    # --- questions -------------------------------------------------------------------------------

    def is_working(self, moment: datetime) -> bool:
        """Is ``moment`` inside working time (opening inclusive, closing exclusive)?"""
        us = self._us(moment)
        i = bisect_right(self._starts, us) - 1
        return i >= 0 and us < self._ends[i]

    def is_working_or_closing(self, moment: datetime) -> bool:
        """Working time, or exactly a closing moment: where a due moment may fall."""
        us = self._us(moment)
        i = bisect_right(self._starts, us) - 1
        return i >= 0 and us <= self._ends[i]

    def _next_working_us(self, us: int) -> tuple[int, int]:
        """(moment, interval index): ``us`` itself if working, else the next opening."""
        while True:
            i = bisect_right(self._starts, us) - 1
            if i >= 0 and us < self._ends[i]:
                return us, i
            if i + 1 < len(self._starts):
                return self._starts[i + 1], i + 1
            self._widen(forward=True)

    def next_working_moment(self, moment: datetime) -> datetime:
        """``moment`` if it is working time, else the next opening."""
        us = self._us(moment)
        found, _ = self._next_working_us(us)
        return moment if found == us else self._dt(found)

    def end_of_working_day(self, moment: datetime) -> datetime:
        """The closing of the working day ``moment`` falls on ("the same working day"); a moment
        after that day's closing, or on a day off, gets the closing of the next working day."""
        us = self._us(moment)
        _, i = self._next_working_us(us)
        k = bisect_left(self._wdays, self._lstarts[i] // DAY_US)
        return self._dt(self._ends[self._wlast[k]])

    def add_working_days(self, moment: datetime, days: int) -> datetime:
        """The same wall-clock time ``days`` working days later (see the module docstring).

        A clock time that occurs twice on the target day (the repeated hour of the autumn DST
        change, for an office working at night) means its first occurrence."""
        if days < 0:
            raise CalendarError("add_working_days counts forwards only")
        us = self._us(moment)
        t0, i = self._next_working_us(us)
        if days == 0:
            return moment if t0 == us else self._dt(t0)
        local = self._lstarts[i] + (t0 - self._starts[i])
        daynum, clock = divmod(local, DAY_US)
        k = bisect_left(self._wdays, daynum) + days
        while k >= len(self._wdays):
            self._widen(forward=True)
            k = bisect_left(self._wdays, daynum) + days
        target = self._wdays[k] * DAY_US + clock
        lends = self._lends_by_day[k]
        j = bisect_right(lends, target)
        if j == len(lends):  # after the day's closing: the closing
            return self._dt(self._ends[self._wlast[k]])
        index = self._wfirst[k] + j
        lstart = self._lstarts[index]
        if target <= lstart:  # before an opening (or in a break): that opening
            return self._dt(self._starts[index])
        return self._dt(self._starts[index] + (target - lstart))

    def _cum(self, us: int) -> int:
        i = bisect_right(self._starts, us) - 1
        if i < 0:
            return 0
        return self._cum_end[i] - max(0, self._ends[i] - us)

    def add_working_hours(self, moment: datetime, amount: float | timedelta) -> datetime:
        """``moment`` plus ``amount`` of working time (hours as a number, or a timedelta).

        A negative amount counts backwards.  Adding zero to a moment outside working time gives
        the next working moment."""
        delta = amount if isinstance(amount, timedelta) else timedelta(hours=amount)
        step = delta // timedelta(microseconds=1)
        us = self._us(moment)
        if step == 0:
            return self.next_working_moment(moment)
        while True:
            target = self._cum(us) + step
            if step > 0:
                if target > self._cum_end[-1]:
                    self._widen(forward=True)
                    continue
                j = bisect_left(self._cum_end, target)
                return self._dt(self._ends[j] - (self._cum_end[j] - target))
            if target < 0:
                self._widen(forward=False)
                continue
            j = bisect_right(self._cum_start, target) - 1
            return self._dt(self._starts[j] + (target - self._cum_start[j]))

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end`` (negative if ``end`` is earlier)."""
        a = self._us(start)
        b = self._us(end)
        self._cover(a)
        return timedelta(microseconds=self._cum(b) - self._cum(a))
