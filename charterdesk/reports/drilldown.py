"""The cases behind one figure: the timers (or events) that a number on the report counts.

One indexed query per page (keyset on due moment and id, ``timer_commitment_due``): the
drill-down of one figure reads only its page, whatever the size of the month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from charterdesk.cases.access import cases_visible_to
from charterdesk.cases.models import CaseEvent
from charterdesk.reports.figures import OUTCOMES, Period, Scope, counted_timers
from charterdesk.sla.models import KeptBy, Timer, TimerStatus

PAGE = 50
DIMENSION_FILTERS = {
    "channel": "case__channel",
    "office": "case__office_id",
    "programme": "case__programme_id",
    "employee": "case__assignee_id",
}


class DrilldownError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Row:
    timer: Timer
    outcome: str  # kept | explained | broken | overdue
    breach_event_id: int | None


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Row]
    next_cursor: str | None


def outcome_of(timer: Timer) -> str:
    if timer.status == TimerStatus.MET:
        return "explained" if timer.kept_by == KeptBy.EXPLANATION else "kept"
    return "broken"


def _outcome_filter(outcome: str) -> Q:
    met = Q(status=TimerStatus.MET)
    if outcome == "kept":
        return met & ~Q(kept_by=KeptBy.EXPLANATION)
    if outcome == "explained":
        return met & Q(kept_by=KeptBy.EXPLANATION)
    if outcome == "broken":
        return Q(status__in=[TimerStatus.BREACHED, TimerStatus.OPEN])
    if outcome == "all":
        return Q()
    raise DrilldownError(
        f"unknown outcome {outcome!r} (one of: {', '.join(OUTCOMES)}, overdue, all)"
    )


def drilldown(
    *,
    commitment_id: str,
    period: Period,
    scope: Scope,
    outcome: str = "all",
    dimension: str | None = None,
    value: str | None = None,
    month: str | None = None,
    cursor: str | None = None,
    as_of: datetime | None = None,
    limit: int = PAGE,
    viewer: Any = None,
) -> Page:
    """One page of the timers behind a figure, ordered by due moment.

    The figures count every case of the scope; the list names cases, so it holds only those
    ``viewer`` may see (``cases.access``: a confidential case only to its team and those named on
    it).  ``viewer=None`` is the system (commands, tests of the figures)."""
    as_of = as_of or timezone.now()
    start, end = period.start, period.end
    if month:  # a point of the trend
        sub = Period.parse(month)
        start, end = sub.start, sub.end
    if outcome == "overdue":  # decided on its stop: running past its due moment, not counted
        qs = scope.timers(
            Timer.objects.filter(
                commitment_id=commitment_id,
                status=TimerStatus.OPEN,
                due_at__gte=start,
                due_at__lt=min(end, as_of),
            )
        )
    else:
        qs = scope.timers(counted_timers([commitment_id], start, end, as_of)).filter(
            _outcome_filter(outcome)
        )
    if viewer is not None:
        qs = qs.filter(case_id__in=cases_visible_to(viewer).values("pk"))
    if dimension:
        if dimension not in DIMENSION_FILTERS:
            raise DrilldownError(f"unknown split {dimension!r}")
        column = DIMENSION_FILTERS[dimension]
        lookup: dict[str, object] = {f"{column}__isnull": True} if not value else {column: value}
        qs = qs.filter(**lookup)
    if cursor:
        try:
            due_raw, id_raw = cursor.rsplit("_", 1)
            due = datetime.fromisoformat(due_raw)
            last_id = int(id_raw)
        except ValueError:
            raise DrilldownError(f"bad page cursor {cursor!r}") from None
        qs = qs.filter(Q(due_at__gt=due) | Q(due_at=due, id__gt=last_id))
    timers = list(
        qs.select_related("case", "case__assignee", "case__office", "case__programme").order_by(
            "due_at", "id"
        )[: limit + 1]
    )
    more = len(timers) > limit
    timers = timers[:limit]
    broken = [t for t in timers if outcome != "overdue" and outcome_of(t) == "broken"]
    breaches = _breach_events(broken)
    rows = [
        Row(t, "overdue" if outcome == "overdue" else outcome_of(t), breaches.get(t.pk))
        for t in timers
    ]
    next_cursor = f"{timers[-1].due_at.isoformat()}_{timers[-1].pk}" if more and timers else None
    return Page(rows, next_cursor)


def _breach_events(timers: list[Timer]) -> dict[int, int]:
    """The ``timer.breached`` event of each broken timer: where its case page opens."""
    if not timers:
        return {}
    wanted = {t.pk for t in timers}
    out: dict[int, int] = {}
    events = CaseEvent.objects.filter(
        case_id__in={t.case_id for t in timers}, type="timer.breached"
    ).values_list("pk", "params")
    for pk, params in events:
        timer_id: Any = (params or {}).get("timer")
        if isinstance(timer_id, int) and timer_id in wanted:
            out.setdefault(timer_id, pk)
    return out
