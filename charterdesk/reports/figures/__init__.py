"""The compliance figures of every commitment, counted by SQL aggregates over timers and events.

Definitions (the same words are shown on the report, ``definitions.py``):

* A commitment with a clock (``deadline``, or a ``threshold`` the phone or office part records as a
  timer) is counted per **timer**, in the month of its **due moment** (Europe/Riga).  A timer is
  *kept* when the answer (``stops_on``) came by the due moment, *kept by explanation* when the
  ``explained_by`` event came by the due moment, *broken* when the due moment passed first (a late
  answer does not mend it; a running timer whose due moment has passed is broken too, the sweep
  only has not written it yet).  Excluded: timers whose due moment has not come yet (shown as
  "still running"), and timers cancelled because the policy dropped the commitment.
  Rate = (kept + kept by explanation) ÷ (kept + kept by explanation + broken).
* A deadline that may not apply (``cancelled_by``: the Law on Submissions' forwarding within 5
  working days, which an answer of our own makes moot) is *decided when it stops*: counted in the
  month of its stop (``met_at``, or ``explained_at``), kept if the stop came by the due moment,
  broken if later; cancelled timers are left out.  One still running past its due moment is not
  broken yet (it may still be answered instead): it is shown as "overdue", outside the rate.
* A process or content rule that names a ``starts_on`` event is counted as how often it applied
  (events of that type in the period); the software enforces it, so there is no rate.
* A commitment not measurable by software shows how it is checked instead.

The splits use the case's channel, office, programme and assignee (the employee responsible for
the case when the figure is computed; a closed month freezes them with the figures).  Every figure
is one ``GROUP BY`` over the rows of the period — the Python code adds up groups, never cases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from charterdesk.cases.models import CaseEvent
from charterdesk.reports.figures.calls import ring_rows
from charterdesk.reports.figures.satisfaction import (
    rollup_satisfaction,
    satisfaction_rows,
)
from charterdesk.reports.figures.shapes import (
    CASE_COLUMNS,
    DIMENSION_KEYS,
    DIMENSIONS,
    OUTCOMES,
    RIGA,
    CommitmentFigure,
    Counts,
    CubeRow,
    Period,
    Report,
    Scope,
    measured_by,
    month_key,
    text_of,
)
from charterdesk.sla.models import KeptBy, Timer, TimerStatus
from charterdesk.standard import Policy, get_policy

# What the rest of the project reads from here (the types live in ``shapes``).
__all__ = [
    "DIMENSIONS",
    "OUTCOMES",
    "RIGA",
    "CommitmentFigure",
    "Counts",
    "CubeRow",
    "Period",
    "Report",
    "Scope",
    "compliance_report",
    "compute_report",
    "counted_timers",
    "live_cube",
    "rollup",
]


def _timer_counts() -> dict[str, Any]:
    met = Q(status=TimerStatus.MET)
    return {
        "k": Count("id", filter=met & ~Q(kept_by=KeptBy.EXPLANATION)),
        "x": Count("id", filter=met & Q(kept_by=KeptBy.EXPLANATION)),
        "b": Count("id", filter=Q(status__in=[TimerStatus.BREACHED, TimerStatus.OPEN])),
    }


def decided_on_stop_ids(policy: Policy, commitment_ids: Iterable[str]) -> set[str]:
    """Those of ``commitment_ids`` that ``policy`` decides when their timers stop."""
    return {cid for cid in commitment_ids if cid in policy and policy[cid].decided_on_stop}


def _decided_in(start: datetime, end: datetime) -> Q:
    """A timer decided on its stop whose stop (answer, or explanation) fell in [start, end)."""
    return Q(status__in=[TimerStatus.MET, TimerStatus.BREACHED]) & (
        Q(met_at__gte=start, met_at__lt=end)
        | Q(met_at__isnull=True, explained_at__gte=start, explained_at__lt=end)
    )


def counted_timers(
    commitment_ids: Iterable[str],
    start: datetime,
    end: datetime,
    as_of: datetime,
    policy: Policy | None = None,
) -> QuerySet[Timer]:
    """The timers a figure counts, not cancelled: due in [start, end) and by ``as_of``; for a
    commitment decided on its stop, stopped in [start, end) and by ``as_of``."""
    ids = list(commitment_ids)
    on_stop = decided_on_stop_ids(policy or get_policy(), ids)
    upto = min(end, as_of)
    q = Q(
        commitment_id__in=[c for c in ids if c not in on_stop], due_at__gte=start, due_at__lt=upto
    )
    if on_stop:
        q |= Q(commitment_id__in=sorted(on_stop)) & _decided_in(start, upto)
    return Timer.objects.filter(q).exclude(status=TimerStatus.CANCELLED)


def live_cube(
    *, policy: Policy, start: datetime, end: datetime, as_of: datetime, scope: Scope
) -> list[CubeRow]:
    """The cube of [start, end) as the database has it at ``as_of``: two aggregate queries."""
    timer_ids = [c.id for c in policy.commitments.values() if measured_by(c) == "timers"]
    by_type: dict[str, list[str]] = defaultdict(list)
    for c in policy.commitments.values():
        if measured_by(c) == "events":
            for ev in c.starts_on:
                by_type[str(ev)].append(c.id)
    rows: list[CubeRow] = []
    on_stop = decided_on_stop_ids(policy, timer_ids)
    plain = [c for c in timer_ids if c not in on_stop]
    groups: list[Any] = []
    if plain and start < min(end, as_of):
        groups.append(
            scope.timers(counted_timers(plain, start, end, as_of, policy))
            .annotate(month=TruncMonth("due_at", tzinfo=RIGA))
            .values("month", "commitment_id", *CASE_COLUMNS.values())
            .annotate(**_timer_counts())
            .order_by()
        )
    if on_stop and start < min(end, as_of):
        groups.append(
            scope.timers(counted_timers(on_stop, start, end, as_of, policy))
            .annotate(month=TruncMonth(Coalesce("met_at", "explained_at"), tzinfo=RIGA))
            .values("month", "commitment_id", *CASE_COLUMNS.values())
            .annotate(**_timer_counts())
            .order_by()
        )
    for timers in groups:
        for r in timers:
            row: CubeRow = {"m": month_key(r["month"]), "c": r["commitment_id"]}
            row.update({k: text_of(r[col]) for k, col in CASE_COLUMNS.items()})
            row.update(k=r["k"], x=r["x"], b=r["b"], n=0)
            rows.append(row)
    if by_type and start < min(end, as_of):
        events = (
            scope.events(
                CaseEvent.objects.filter(
                    type__in=list(by_type), at__gte=start, at__lt=min(end, as_of)
                )
            )
            .annotate(month=TruncMonth("at", tzinfo=RIGA))
            .values("month", "type", *CASE_COLUMNS.values())
            .annotate(n=Count("id"))
            .order_by()
        )
        for r in events:
            for cid in by_type[r["type"]]:
                row = {"m": month_key(r["month"]), "c": cid}
                row.update({k: text_of(r[col]) for k, col in CASE_COLUMNS.items()})
                row.update(k=0, x=0, b=0, n=r["n"])
                rows.append(row)
    if start < min(end, as_of):
        rows.extend(ring_rows(policy, start, min(end, as_of), scope))  # no timers: the calls
        rows.extend(satisfaction_rows(start, min(end, as_of), scope))
    return rows


def running_timers(
    *, policy: Policy, period: Period, as_of: datetime, scope: Scope
) -> dict[str, int]:
    """Timers due inside ``period`` but after ``as_of``: not counted yet (of a commitment decided
    on its stop, only those still running: a stopped one is counted in the month of its stop)."""
    if as_of >= period.end:
        return {}
    ids = [c.id for c in policy.commitments.values() if measured_by(c) == "timers"]
    on_stop = sorted(decided_on_stop_ids(policy, ids))
    qs = scope.timers(
        Timer.objects.filter(
            commitment_id__in=ids, due_at__gte=max(period.start, as_of), due_at__lt=period.end
        )
        .exclude(status=TimerStatus.CANCELLED)
        .exclude(Q(commitment_id__in=on_stop) & ~Q(status=TimerStatus.OPEN))
    )
    return {
        r["commitment_id"]: r["n"]
        for r in qs.values("commitment_id").annotate(n=Count("id")).order_by()
    }


def overdue_timers(
    *, policy: Policy, period: Period, as_of: datetime, scope: Scope
) -> dict[str, int]:
    """Of the commitments decided on their stop: the timers due in ``period`` whose due moment
    passed by ``as_of`` while they still run (neither stopped nor cancelled).  Not broken yet,
    not counted: shown as overdue.  No query when the policy has no such commitment."""
    on_stop = sorted(
        decided_on_stop_ids(
            policy, [c.id for c in policy.commitments.values() if measured_by(c) == "timers"]
        )
    )
    if not on_stop or period.start >= as_of:
        return {}
    qs = scope.timers(
        Timer.objects.filter(
            commitment_id__in=on_stop,
            status=TimerStatus.OPEN,
            due_at__gte=period.start,
            due_at__lt=min(period.end, as_of),
        )
    )
    return {
        r["commitment_id"]: r["n"]
        for r in qs.values("commitment_id").annotate(n=Count("id")).order_by()
    }


def rollup(
    *,
    policy: Policy,
    period: Period,
    rows: Iterable[CubeRow],
    running: dict[str, int] | None = None,
    overdue: dict[str, int] | None = None,
) -> list[CommitmentFigure]:
    """Add the cube rows up into one figure per commitment of ``policy``: the period's total and
    splits from the rows of the period's months, the trend from every row."""
    figures: dict[str, CommitmentFigure] = {}
    for c in policy.commitments.values():
        how = measured_by(c)
        fig = CommitmentFigure(
            commitment_id=c.id, kind=c.kind.value, target_rate=c.target_rate, measured=how
        )
        if how == "timers":
            fig.splits = {d: {} for d in DIMENSIONS}
        elif how == "events":
            fig.applied_splits = {d: {} for d in DIMENSIONS}
        fig.running = (running or {}).get(c.id, 0)
        fig.overdue = (overdue or {}).get(c.id, 0)
        fig.decided_on_stop = c.decided_on_stop
        figures[c.id] = fig
    months = {p.key for p in period.months()}
    for row in rows:
        if row["c"] not in figures:
            continue
        fig = figures[row["c"]]
        counts = Counts(row["k"], row["x"], row["b"])
        if fig.measured == "timers":
            fig.trend.setdefault(row["m"], Counts()).add(counts)
        else:
            fig.applied_trend[row["m"]] = fig.applied_trend.get(row["m"], 0) + row["n"]
        if row["m"] not in months:
            continue
        if fig.measured == "timers":
            fig.total.add(counts)
            for dim, key in DIMENSION_KEYS.items():
                fig.splits[dim].setdefault(row[key], Counts()).add(counts)
        else:
            fig.applied += row["n"]
            for dim, key in DIMENSION_KEYS.items():
                split = fig.applied_splits[dim]
                split[row[key]] = split.get(row[key], 0) + row["n"]
    return list(figures.values())


def compute_report(
    *,
    period: Period,
    scope: Scope,
    policy: Policy | None = None,
    as_of: datetime | None = None,
) -> Report:
    """Every figure of ``period`` counted now from the timers and events (closed months too)."""
    policy = policy or get_policy()
    as_of = as_of or timezone.now()
    t_start, t_end = period.trend_range()
    rows = live_cube(policy=policy, start=t_start, end=t_end, as_of=as_of, scope=scope)
    running = running_timers(policy=policy, period=period, as_of=as_of, scope=scope)
    overdue = overdue_timers(policy=policy, period=period, as_of=as_of, scope=scope)
    months = [p.key for p in Period.year_of(period.year).months() if p.start < t_end]
    return Report(
        period=period,
        scope=scope,
        computed_at=as_of,
        figures=rollup(policy=policy, period=period, rows=rows, running=running, overdue=overdue),
        policy=policy,
        live_months=months,
        satisfaction=rollup_satisfaction(period=period, rows=rows),
    )


def compliance_report(
    *,
    period: Period,
    scope: Scope,
    policy: Policy | None = None,
    as_of: datetime | None = None,
) -> Report:
    """The report as a reader sees it: closed months from their freeze (their cube, their
    policy); the other months from the stored cubes of their finished days (``DayCube``, counted
    with the same policy file) and, for the days without one (today), one live aggregate query
    per run of consecutive days."""
    from charterdesk.reports.cubes import day_cubes, month_cubes, policy_sha256
    from charterdesk.reports.freeze import frozen_months

    current = policy or get_policy()
    as_of = as_of or timezone.now()
    _start, t_end = period.trend_range()
    year_months = [p for p in Period.year_of(period.year).months() if p.start < t_end]
    closed = frozen_months([p.key for p in year_months])
    rows: list[CubeRow] = []
    for frozen in closed.values():
        rows.extend(r for r in frozen.cube if scope.is_everything or _in_scope(r, scope))
    open_months = [p for p in year_months if p.key not in closed]
    sha = policy_sha256(current)
    whole = month_cubes([p.key for p in open_months if p.end <= as_of], sha)
    for month_rows in whole.values():
        rows.extend(r for r in month_rows if scope.is_everything or _in_scope(r, scope))
    days = [d for p in open_months if p.key not in whole for d in _days(p.start, min(p.end, as_of))]
    stored = day_cubes(days, sha)
    for day_rows in stored.values():
        rows.extend(r for r in day_rows if scope.is_everything or _in_scope(r, scope))
    # The days without a stored cube form runs; each run is one live query.
    run: list[date] = []
    for d in [*[d for d in days if d not in stored], None]:
        if d is not None and (not run or run[-1] + timedelta(days=1) == d):
            run.append(d)
            continue
        if run:
            rows.extend(
                live_cube(
                    policy=current,
                    start=_day_start(run[0]),
                    end=_day_start(run[-1] + timedelta(days=1)),
                    as_of=as_of,
                    scope=scope,
                )
            )
        run = [d] if d is not None else []
    # A single closed month is shown with the policy it was frozen with.
    shown_policy = current
    if period.is_month and period.key in closed:
        shown_policy = closed[period.key].policy
    running = running_timers(policy=current, period=period, as_of=as_of, scope=scope)
    overdue = overdue_timers(policy=current, period=period, as_of=as_of, scope=scope)
    return Report(
        period=period,
        scope=scope,
        computed_at=as_of,
        figures=rollup(
            policy=shown_policy, period=period, rows=rows, running=running, overdue=overdue
        ),
        policy=shown_policy,
        frozen_months=sorted(closed),
        live_months=[p.key for p in open_months],
        satisfaction=rollup_satisfaction(period=period, rows=rows),
    )


def _day_start(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=RIGA)


def _days(start: datetime, end: datetime) -> list[date]:
    """The Riga days that begin in [start, end)."""
    out: list[date] = []
    d = timezone.localtime(start, RIGA).date()
    while _day_start(d) < end:
        out.append(d)
        d += timedelta(days=1)
    return out


def _next_month(p: Period) -> Period:
    assert p.month is not None
    return Period(p.year + 1, 1) if p.month == 12 else Period(p.year, p.month + 1)


def _in_scope(row: CubeRow, scope: Scope) -> bool:
    return scope.team_ids is not None and row["t"] != "" and int(row["t"]) in scope.team_ids
