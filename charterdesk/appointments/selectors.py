"""Reads: free slots across offices and consultants, one office's day, a consultant's day.

``free_slots`` answers with a small number of queries whatever the number of offices and
consultants: one for the plan token, rule, consultants and offices (PostgreSQL), then one per read
round of the bookings, in time order, until enough slots are found (docs/appointments.md, *Free
slots*); from the second round on, one read of the per-day sums per 21 days searched lets it pass
over the days booked full without reading their bookings (``loads.py``).  Plans are cached per process under the plan token; office calendars come from the
per-process cache of ``charterdesk.calendar``.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import BigIntegerField, Func, QuerySet
from django.utils import timezone

from charterdesk.appointments.candidates import Days, start_of
from charterdesk.appointments.loads import DayLoads, id_array
from charterdesk.appointments.models import (
    Appointment,
    AppointmentStatus,
    BookingRule,
    PlanRevision,
)
from charterdesk.appointments.plans import load_plans
from charterdesk.appointments.slots import (
    NO_BUSY,
    Busy,
    Rule,
    Slot,
    starts,
)
from charterdesk.appointments.slots import to_local as _to_local
from charterdesk.directory.models import Employee, Office, Programme

TZ = ZoneInfo("Europe/Riga")
CHUNK_DAYS = 7
FIRST_ROUND_S = 3 * 3600  # the first read: three hours from the earliest start


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


@dataclass(frozen=True)
class _Context:
    """What a slot search reads before the bookings: the plan revision's token, the
    programme's rule, its competent active consultants, the active offices' schedules."""

    token: str
    rule: Rule
    consultant_ids: list[int]
    schedules: dict[int, int | None]  # active office → its schedule (None: the default)


_CONTEXT_SQL = """
SELECT
  (SELECT token FROM {revision} WHERE id = 1),
  (SELECT ARRAY[duration_minutes, buffer_before_minutes, buffer_after_minutes, step_minutes,
                min_notice_minutes, horizon_days]
     FROM {rule} WHERE programme_id = %(programme)s),
  ARRAY(SELECT e.id FROM {employee} e JOIN {competence} c ON c.employee_id = e.id
         WHERE c.programme_id = %(programme)s AND e.is_active ORDER BY e.id),
  ARRAY(SELECT id FROM {office} WHERE is_active ORDER BY id),
  ARRAY(SELECT schedule_id FROM {office} WHERE is_active ORDER BY id)
"""


def _rule(row: Sequence[int] | None) -> Rule:
    if row is None:
        return Rule()
    duration, before, after, step, notice, horizon = row
    return Rule(
        length=timedelta(minutes=duration),
        before=timedelta(minutes=before),
        after=timedelta(minutes=after),
        step=timedelta(minutes=step),
        min_notice=timedelta(minutes=notice),
        horizon_days=horizon,
    )


def _context(programme: Programme) -> _Context:
    """One round trip on PostgreSQL (the server is shared and busy: each query costs its
    latency); the same reads through the ORM elsewhere."""
    if connection.vendor == "postgresql":
        sql = _CONTEXT_SQL.format(
            revision=PlanRevision._meta.db_table,
            rule=BookingRule._meta.db_table,
            employee=Employee._meta.db_table,
            competence=Employee.competences.through._meta.db_table,
            office=Office._meta.db_table,
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, {"programme": programme.pk})
            token, rule, consultant_ids, office_ids, schedule_ids = cursor.fetchone()
        return _Context(
            token or "",
            _rule(rule),
            list(consultant_ids),
            dict(zip(office_ids, schedule_ids, strict=True)),
        )
    token = PlanRevision.objects.filter(pk=1).values_list("token", flat=True).first()
    rule = (
        BookingRule.objects.filter(programme=programme)
        .values_list(
            "duration_minutes",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "step_minutes",
            "min_notice_minutes",
            "horizon_days",
        )
        .first()
    )
    return _Context(
        token or "",
        _rule(rule),
        sorted(competent_consultants(programme).values_list("pk", flat=True)),
        dict(Office.objects.filter(is_active=True).values_list("pk", "schedule_id")),
    )


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


# The longest blocked range a row may have (``appointments/0004_blocked_within_a_day``): a
# range overlapping [lo, hi) then starts in [lo - MAX_BLOCKED, hi), a range of the index
# (consultant, blocked_from) instead of every booking before ``hi``.
MAX_BLOCKED = timedelta(days=1)

# The consultants' live blocked ranges overlapping [lo, hi), ordered by consultant and start, as
# *islands*: ranges whose gap to the ranges before them is shorter than a slot's whole block
# (buffer before + length + buffer after) are merged, since no slot fits between them — a fully
# booked day of one consultant is one row, not one per booking.  ``prev`` is the latest end of
# the consultant's earlier ranges; a range that starts at least a block after it opens a new
# island.
_BUSY_SQL = """
SELECT consultant_id, min(f), max(u)
FROM (
  SELECT consultant_id, f, u,
         count(*) FILTER (WHERE f >= prev + %(block)s)
           OVER (PARTITION BY consultant_id ORDER BY f, u ROWS UNBOUNDED PRECEDING) AS island
  FROM (
    SELECT consultant_id,
           CAST(EXTRACT(EPOCH FROM blocked_from) AS bigint) AS f,
           CAST(EXTRACT(EPOCH FROM blocked_until) AS bigint) AS u,
           max(CAST(EXTRACT(EPOCH FROM blocked_until) AS bigint)) OVER (
             PARTITION BY consultant_id ORDER BY blocked_from, blocked_until
             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev
    FROM appointments_appointment
    WHERE consultant_id = ANY(CAST(%(ids)s AS bigint[])) AND status <> %(cancelled)s
      AND blocked_from >= %(lookback)s AND blocked_from < %(hi)s AND blocked_until > %(lo)s
      AND id <> %(exclude)s
  ) AS ranges
) AS islands
GROUP BY consultant_id, island
ORDER BY consultant_id, 2
"""


def _busy(
    consultant_ids: list[int], lo_s: int, hi_s: int, exclude: int | None, block_s: int
) -> dict[int, Busy]:
    """The consultants' blocked ranges overlapping [lo_s, hi_s) (epoch seconds, sorted by start),
    in one query ordered by consultant and start.  On PostgreSQL the ids go as one array
    parameter (``= ANY``), not as hundreds of ``IN`` parameters, and the ranges come merged into
    islands (``_BUSY_SQL``: the same free slots, a fraction of the rows).  The rows are taken
    one by one into each consultant's :class:`Busy` (no list of rows, no tuple per range)."""
    lo = datetime.fromtimestamp(lo_s, TZ)
    hi = datetime.fromtimestamp(hi_s, TZ)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _BUSY_SQL,
                {
                    "ids": id_array(consultant_ids),
                    "cancelled": AppointmentStatus.CANCELLED.value,
                    "lookback": lo - MAX_BLOCKED,
                    "hi": hi,
                    "lo": lo,
                    "exclude": exclude or 0,
                    "block": block_s,
                },
            )
            return _collect(cursor)
    query = Appointment.objects.filter(
        consultant_id__in=consultant_ids,
        blocked_from__gte=lo - MAX_BLOCKED,
        blocked_from__lt=hi,
        blocked_until__gt=lo,
    ).exclude(status=AppointmentStatus.CANCELLED)
    if exclude is not None:
        query = query.exclude(pk=exclude)
    return _collect(
        query.order_by("consultant_id", "blocked_from").values_list(
            "consultant_id", Epoch("blocked_from"), Epoch("blocked_until")
        )
    )


def _collect(rows: Iterable[tuple[int, int, int]]) -> dict[int, Busy]:
    """(consultant, from, until) rows ordered by consultant and start as each one's Busy."""
    out: dict[int, Busy] = {}
    current = None
    starts_of: list[int] = []
    reach: list[int] = []
    top = 0
    for emp, a, b in rows:
        if emp != current:
            current, starts_of, reach, top = emp, [], [], b
            out[emp] = Busy(starts_of, reach)
        starts_of.append(a)
        top = b if b > top else top
        reach.append(top)
    return out


def _stream(
    windows: list[tuple[int, int]],
    busy: Busy,
    rule: Rule,
    earliest: int,
    limit: int,
    office_id: int,
    emp: int,
) -> Iterator[tuple[int, int, int]]:
    """One consultant's free starts at one office on one day as (start, office, consultant)."""
    for s in starts(windows, busy, rule, earliest=earliest, limit=limit):
        yield s, office_id, emp


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
    context = _context(programme)
    rule = context.rule
    wanted_ids = context.consultant_ids
    if consultant is not None:
        wanted_ids = [pk for pk in wanted_ids if pk == consultant.pk]
    schedules = context.schedules
    if offices is not None:
        asked = {o.pk for o in offices}
        schedules = {pk: s for pk, s in schedules.items() if pk in asked}
    if not wanted_ids or not schedules:
        return []
    earliest = _to_local(max(now + rule.min_notice, after or now), TZ)
    first = earliest.date()
    last = _to_local(now, TZ).date() + timedelta(days=rule.horizon_days)
    if until_day is not None:
        last = min(last, until_day)
    if first > last:
        return []
    plans = load_plans(context.token, wanted_ids, set(schedules), first, last)
    # Only the consultants planned at the offices searched (weekly or by an exception of these
    # days) can have a slot: only their bookings are read.
    consultant_ids = sorted(plans.planned())
    if not consultant_ids:
        return []
    length_s = int(rule.length.total_seconds())
    before_s = int(rule.before.total_seconds())
    after_s = int(rule.after.total_seconds())
    end_s = int(datetime.combine(last + timedelta(days=1), time(0), tzinfo=TZ).timestamp())
    read_end_s = end_s + 86400  # a block of the last day may end after its midnight
    days = Days(
        context.token,
        plans,
        schedules,
        length_s,
        DayLoads(consultant_ids, exclude_appointment, length_s),
    )
    found: list[Slot] = []
    # Read rounds in time order.  A round reads the bookings overlapping [lo, hi) and decides
    # exactly the starts s >= its earliest whose blocked range [s - before, s + length + after)
    # lies inside: those are all earlier than the next round's, so the search stops at the
    # round that completes ``limit``.  The first round is a few hours (usually enough), then
    # the rest of that day, then 3 and 7 days at a time.  From the second round on, the days
    # whose every window is booked full by the per-day sums (``loads.py``) are passed over and
    # such windows dropped: only the consultants with a window left have their bookings read.
    round_earliest = int(max(now + rule.min_notice, after or now).timestamp())
    block_s = before_s + length_s + after_s
    round_no = size_no = 0
    while len(found) < limit and round_earliest < end_s:
        if round_no > 0:
            moved = days.skip_full(round_earliest, last)
            if moved >= end_s:
                break
            if moved > round_earliest + 86400 // 2:
                size_no = 0  # a later day: three hours from its first open window again
            round_earliest = moved
        lo_s = round_earliest - before_s
        if size_no == 0:
            hi_s = lo_s + max(FIRST_ROUND_S, 2 * block_s)
        elif size_no == 1:
            midnight = datetime.fromtimestamp(round_earliest, TZ).date() + timedelta(days=1)
            hi_s = int(datetime.combine(midnight, time(0), tzinfo=TZ).timestamp())
        else:
            hi_s = lo_s + (3 if size_no == 2 else CHUNK_DAYS) * 86400
        size_no += 1
        hi_s = min(hi_s, read_end_s)
        decided_until = hi_s - after_s  # a slot of this round ends by then
        # The days of the round and their consultants' open windows, cut at ``decided_until``
        # (the window's grid stays anchored at its start; only its end is cut).
        round_days: list[list[tuple[int, int, list[tuple[int, int]]]]] = []
        day = max(first, datetime.fromtimestamp(lo_s, TZ).date())
        while day <= last and start_of(day) < decided_until:
            rows = []
            for row in days.candidates(day, round_earliest, round_no > 0):
                emp, office_id, windows = row
                if windows[-1][1] <= decided_until:
                    rows.append(row)  # nothing to cut
                    continue
                cut = [(w_lo, min(w_hi, decided_until)) for w_lo, w_hi in windows]
                cut = [(w_lo, w_hi) for w_lo, w_hi in cut if w_hi - w_lo >= length_s]
                if cut:
                    rows.append((emp, office_id, cut))
            round_days.append(rows)
            day += timedelta(days=1)
        round_no += 1
        wanted_ids = sorted({emp for rows in round_days for emp, _office, _cut in rows})
        busy = _busy(wanted_ids, lo_s, hi_s, exclude_appointment, block_s) if wanted_ids else {}
        for rows in round_days:
            if len(found) >= limit:
                break
            wanted = limit - len(found)
            streams = [
                _stream(cut, busy.get(emp, NO_BUSY), rule, round_earliest, wanted, office_id, emp)
                for emp, office_id, cut in rows
            ]
            # Every stream is in time order: a heap over them yields the day's slots in
            # (time, office, consultant) order, each consultant's next slot computed only when
            # the previous one was taken; stop at the ``wanted``-th.
            for s, office_id, emp in islice(heapq.merge(*streams), wanted):
                found.append(
                    Slot(
                        datetime.fromtimestamp(s, TZ),
                        datetime.fromtimestamp(s + length_s, TZ),
                        office_id,
                        emp,
                    )
                )
        # The next round: the starts not decided yet (their block ends after this round's end).
        if hi_s >= read_end_s:
            break
        round_earliest = max(round_earliest, decided_until - length_s + 1)
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
