"""Free consultation slots: pure arithmetic on one consultant's day, no Django.

A slot is a start time ``s`` at which a consultation of the programme's length fits:

* ``[s, s + length)`` lies inside one *window* — the office's working time of that date on its
  business calendar (holidays, moved days, the shortened eve of a holiday) intersected with the
  consultant's plan for that office and date;
* ``s`` lies on the programme's grid (every ``step`` minutes from the window's start);
* the *blocked range* ``[s - buffer before, s + length + buffer after)`` overlaps no blocked range of
  the consultant's other live appointments (at any office: one person is in one place);
* ``s`` is at least the minimum notice after now, and its date within the booking horizon.

A day's windows are wall-clock times in the office's time zone, turned into epoch seconds by
``zoneinfo`` once per office and day, so 09:00 is 09:00 in Riga on both sides of a DST change
(07:00 UTC in winter, 06:00 in summer); inside a window the arithmetic is in integer seconds
(bookings are read as epoch seconds too, no datetime per row).  A window that spans a DST change
(a night opening) is not offered.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Window = tuple[time, time]
SECOND = timedelta(seconds=1)
Range = tuple[datetime, datetime]  # naive wall-clock [from, until)


@dataclass(frozen=True, slots=True)
class Rule:
    """A programme's booking rule, as durations."""

    length: timedelta = timedelta(minutes=45)
    before: timedelta = timedelta()
    after: timedelta = timedelta(minutes=15)
    step: timedelta = timedelta(minutes=15)
    min_notice: timedelta = timedelta(hours=2)
    horizon_days: int = 60


@dataclass(frozen=True, slots=True, order=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    office_id: int
    consultant_id: int


def intersect(a: Sequence[Window], b: Sequence[Window]) -> list[Window]:
    """The intersection of two sorted lists of non-overlapping [from, until) intervals."""
    out: list[Window] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo = max(a[i][0], b[j][0])
        hi = min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def merge(windows: Sequence[Window]) -> list[Window]:
    out: list[Window] = []
    for lo, hi in sorted(windows):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def to_local(moment: datetime, tz: ZoneInfo) -> datetime:
    """An aware moment as naive wall-clock time in ``tz``."""
    return moment.astimezone(tz).replace(tzinfo=None)


def epoch_windows(day: date, windows: Sequence[Window], tz: ZoneInfo) -> list[tuple[int, int]]:
    """The day's windows as epoch seconds.  A window whose epoch length differs from its
    wall-clock length spans a DST change (a night opening): it is not offered."""
    out = []
    for opens, closes in windows:
        a = datetime.combine(day, opens, tzinfo=tz)
        b = datetime.combine(day, closes, tzinfo=tz)
        lo, hi = int(a.timestamp()), int(b.timestamp())
        wall = (datetime.combine(day, closes) - datetime.combine(day, opens)).total_seconds()
        if hi - lo == int(wall):
            out.append((lo, hi))
    return out


@dataclass(frozen=True, slots=True)
class Busy:
    """A consultant's blocked ranges (epoch seconds, sorted by start), prepared once for every
    window searched against them: their starts, and the latest end up to each index (ranges may
    in principle overlap)."""

    starts: list[int]
    reach: list[int]

    @classmethod
    def of(cls, busy: Sequence[tuple[int, int]]) -> Busy:
        reach: list[int] = []
        for _start, until in busy:
            reach.append(max(reach[-1], until) if reach else until)
        return cls([b[0] for b in busy], reach)


NO_BUSY = Busy([], [])


def starts(
    windows: Sequence[tuple[int, int]],
    busy: Sequence[tuple[int, int]] | Busy,
    rule: Rule,
    *,
    earliest: int,
    limit: int | None = None,
) -> Iterator[int]:
    """Start moments (epoch seconds) of the free slots in ``windows`` (epoch seconds, one day,
    no DST change inside), given the consultant's blocked ranges ``busy`` sorted by start (or
    prepared as :class:`Busy`)."""
    length = int(rule.length.total_seconds())
    before = int(rule.before.total_seconds())
    after = int(rule.after.total_seconds())
    step = int(rule.step.total_seconds())
    prepared = busy if isinstance(busy, Busy) else Busy.of(busy)
    busy_starts, reach = prepared.starts, prepared.reach
    found = 0
    for lo, hi in windows:
        s = lo
        if earliest > s:  # the first grid point at or after the earliest moment
            s += -(-(earliest - s) // step) * step
        while s + length <= hi:
            # Of the busy ranges that start before our block ends, one still running at our
            # block's start overlaps it.
            k = bisect_left(busy_starts, s + length + after)
            if k and reach[k - 1] > s - before:
                # Jump to the first grid point whose block starts after that range ends.
                s += max(1, -(-(reach[k - 1] + before - s) // step)) * step
                continue
            yield s
            found += 1
            if limit is not None and found >= limit:
                return
            s += step


def day_starts(
    day: date,
    windows: Sequence[Window],
    busy: Sequence[Range],
    rule: Rule,
    *,
    earliest: datetime,
    tz: ZoneInfo,
    limit: int | None = None,
) -> Iterator[tuple[datetime, datetime]]:
    """(start, end) aware datetimes of the free slots of one consultant at one office on ``day``.

    ``busy``: the consultant's blocked ranges as naive wall-clock times, sorted by start;
    ``earliest``: naive wall-clock — no slot starts before it (now + minimum notice)."""

    def epoch(naive: datetime) -> int:
        return int(naive.replace(tzinfo=tz).timestamp())

    for s in starts(
        epoch_windows(day, windows, tz),
        [(epoch(a), epoch(b)) for a, b in busy],
        rule,
        earliest=epoch(earliest),
        limit=limit,
    ):
        yield datetime.fromtimestamp(s, tz), datetime.fromtimestamp(s + rule.length // SECOND, tz)
