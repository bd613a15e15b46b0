"""Days booked full, passed over without reading their bookings: the slot search's lower bound
on a consultant's booked time in a window, from the per-day sums the database keeps
(``DayLoad``, migration ``0005``).

For one consultant and one UTC day ``b`` the table holds ``blocked`` — the sum of the lengths of
the live blocked ranges that start on that day — and a span ``S`` containing all of them.  The
ranges of one consultant never overlap (``0002_no_double_booking``), so in a window ``w`` they
cover at least ``blocked − |S \\ w|`` (what lies outside ``w`` lies in ``S \\ w``), and the ranges
of different days are disjoint, so the bounds add up.  When the part of ``w`` they may leave
free is shorter than a consultation, no slot fits in ``w``: the window is dropped.  Every other
window is searched against the bookings as before, so the slots are the same; the bound only
decides which bookings need reading.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import F

from charterdesk.appointments.models import Appointment, AppointmentStatus, DayLoad

DAY_S = 86400
CHUNK = 21  # UTC days of sums read at a time (arrays per day: a long chunk costs little)

Row = tuple[int, int, list[tuple[int, int]]]  # consultant, office, windows (epoch seconds)
# One UTC day's sums as columns: consultant -> index, blocked, span from, span until (a few
# lists a day instead of a tuple a consultant: the search allocates little, the collector rests).
DayCols = tuple[dict[int, int], list[int], list[int], list[int]]

# The table name is the model's own; every value is a parameter.
_PG_SQL = (
    "SELECT day, array_agg(consultant_id), array_agg(blocked_seconds), array_agg(span_from), "  # nosec B608
    "       array_agg(span_until) "
    f"FROM {DayLoad._meta.db_table} "
    "WHERE consultant_id = ANY(CAST(%s AS bigint[])) AND day >= %s AND day < %s AND live > 0 "
    "  AND span_until - span_from - blocked_seconds < %s "
    "GROUP BY day "
)


def id_array(ids: Sequence[int]) -> str:
    """Ids as one PostgreSQL array literal: binding a list of 500 ints costs psycopg ~5 ms."""
    return "{" + ",".join(map(str, ids)) + "}"


class DayLoads:
    """The sums of the consultants' days, read in chunks of ``CHUNK`` UTC days as the search
    advances; ``exclude``: an appointment whose own range does not count (it is being moved)."""

    def __init__(self, consultant_ids: Sequence[int], exclude: int | None, length: int) -> None:
        self.ids = list(consultant_ids)
        self.length = length
        self.by_day: dict[int, DayCols] = {}
        self.lo: int | None = None  # the UTC days read: [lo, hi)
        self.hi = 0
        self.exclude = exclude
        self.excluded: tuple[int, int, int] | None = None  # (consultant, day, length)

    def _excluded(self, pk: int) -> None:
        """The excluded appointment's own range, read once when the sums are first read."""
        row = (
            Appointment.objects.filter(pk=pk, consultant__isnull=False)
            .exclude(status=AppointmentStatus.CANCELLED)
            .values_list("consultant_id", "blocked_from", "blocked_until")
            .first()
        )
        self.exclude = None
        if row is not None:
            emp, f, u = row
            f_s, u_s = f.timestamp(), u.timestamp()
            length = max(0, math.floor(u_s) - math.ceil(f_s))
            self.excluded = (emp, math.floor(f_s) // DAY_S, length)

    def _read(self, lo: int, hi: int) -> None:
        """The days in [lo, hi) whose ranges leave no consultation's length free inside their
        span (only these can prove a window of one UTC day full: for a window ``w`` the bound
        leaves ``|w| - blocked + |S \\ w| >= |S| - blocked`` free)."""
        if self.exclude is not None:
            self._excluded(self.exclude)
        days: Iterable[tuple[int, list[int], list[int], list[int], list[int]]]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(_PG_SQL, [id_array(self.ids), lo, hi, self.length])
                days = cursor.fetchall()
        else:
            grouped: dict[int, tuple[list[int], list[int], list[int], list[int]]] = {}
            for *values, day in (
                DayLoad.objects.filter(
                    consultant_id__in=self.ids, day__gte=lo, day__lt=hi, live__gt=0
                )
                .filter(blocked_seconds__gt=F("span_until") - F("span_from") - self.length)
                .values_list("consultant_id", "blocked_seconds", "span_from", "span_until", "day")
            ):
                for column, value in zip(
                    grouped.setdefault(day, ([], [], [], [])), values, strict=True
                ):
                    column.append(value)
            days = [(day, *columns) for day, columns in grouped.items()]
        for day, emps, blocked, s_from, s_until in days:
            index = dict(zip(emps, range(len(emps)), strict=True))
            self.by_day[day] = (index, blocked, s_from, s_until)
        if self.excluded is not None:
            emp, day, length = self.excluded
            got = self.by_day.get(day)
            if lo <= day < hi and got is not None and emp in got[0]:
                got[1][got[0][emp]] -= length

    def cover(self, first: int, last: int) -> None:
        """Have the sums of UTC days ``first`` to ``last`` read (one query per new chunk)."""
        if self.lo is None:
            self.lo = self.hi = first
        if first < self.lo:  # not reached: the search goes forward in time
            self._read(first, self.lo)
            self.lo = first
        while last >= self.hi:
            self._read(self.hi, self.hi + CHUNK)
            self.hi += CHUNK

    def full(self, emp: int, lo: int, hi: int, length: int) -> bool:
        """Surely no free stretch of ``length`` seconds in [lo, hi) (epoch seconds): the booked
        time's lower bound leaves less than that (``cover`` the days of [lo, hi) first)."""
        covered = 0
        for day in range(lo // DAY_S, (hi - 1) // DAY_S + 1):
            cols = self.by_day.get(day)
            i = None if cols is None else cols[0].get(emp)
            if cols is None or i is None:
                continue
            blocked, s_from, s_until = cols[1][i], cols[2][i], cols[3][i]
            outside = (s_until - s_from) - max(0, min(s_until, hi) - max(s_from, lo))
            if blocked > outside:
                covered += blocked - outside
        return hi - lo - covered < length

    def not_full(self, rows: list[Row], earliest: int, length: int) -> list[Row]:
        """``rows`` (consultant, office, windows) without the windows that are surely full from
        ``earliest`` on, and without the rows left with none (one window inside one UTC day,
        the usual case, is decided inline)."""
        kept: list[Row] = []
        full = self.full
        no_day: DayCols = ({}, [], [], [])
        for row in rows:
            emp, office_id, windows = row
            if len(windows) == 1:
                w_lo, w_hi = windows[0]
                lo = w_lo if w_lo > earliest else earliest
                day = lo // DAY_S
                if day == (w_hi - 1) // DAY_S:
                    index, blocked_of, from_of, until_of = self.by_day.get(day, no_day)
                    i = index.get(emp)
                    if i is None:
                        kept.append(row)
                        continue
                    blocked, s_from, s_until = blocked_of[i], from_of[i], until_of[i]
                    inside = min(s_until, w_hi) - max(s_from, lo)
                    outside = s_until - s_from - (inside if inside > 0 else 0)
                    covered = blocked - outside if blocked > outside else 0
                    if w_hi - lo - covered >= length:
                        kept.append(row)
                    continue
            left = [w for w in windows if not full(emp, max(w[0], earliest), w[1], length)]
            if left:
                kept.append((emp, office_id, left))
        return kept
