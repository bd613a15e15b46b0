"""The phone measures of a day, per line, queue and employee, computed from the stored moments.

* answered by the threshold ring [PHONE-RING]: among answered calls and unanswered calls that rang
  longer than the threshold (a caller who hung up within the threshold was not failed by the desk;
  those are counted as abandoned, apart);
* waits: seconds in the queue before any phone rang, and seconds of ringing;
* abandoned (the caller hung up) and missed (nobody answered) calls;
* callbacks due that day kept on time (made by the promised moment) [PHONE-ONE-CONTACT];
* one-contact resolution: answered calls whose client did not call again about the same case
  within the policy's ``again_within`` working days (calls whose window is still open are pending);
* the team lead's samples: greeting given and answer complete [PHONE-IDENTIFY].
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from charterdesk.calendar import get_calendar
from charterdesk.channels.phone.models import Call, Callback, CallSample, CallState
from charterdesk.channels.phone.rings import RingRule
from charterdesk.channels.phone.selectors import call_figures, ring_rule
from charterdesk.core.validators import format_phone
from charterdesk.standard import get_policy


@dataclass
class Row:
    label: str
    offered: int = 0
    answered: int = 0
    within: int = 0
    measured: int = 0  # the denominator of the ring share
    abandoned: int = 0
    missed: int = 0
    queue_waits: list[float] = field(default_factory=list)
    ring_waits: list[float] = field(default_factory=list)

    @property
    def ring_share(self) -> float | None:
        return self.within / self.measured if self.measured else None

    @property
    def queue_avg(self) -> float | None:
        return sum(self.queue_waits) / len(self.queue_waits) if self.queue_waits else None

    @property
    def queue_max(self) -> float | None:
        return max(self.queue_waits) if self.queue_waits else None

    @property
    def ring_avg(self) -> float | None:
        return sum(self.ring_waits) / len(self.ring_waits) if self.ring_waits else None


@dataclass
class DayMeasures:
    total: Row
    by_line: list[Row]
    by_queue: list[Row]
    by_employee: list[Row]
    callbacks_due: int
    callbacks_kept: int
    callbacks_late: int
    callbacks_owed: int
    one_contact: int
    repeated: int
    one_contact_pending: int
    again_within_days: int
    samples: int
    greeted: int
    complete: int
    threshold: int

    @property
    def callbacks_share(self) -> float | None:
        done = self.callbacks_kept + self.callbacks_late
        return self.callbacks_kept / done if done else None

    @property
    def one_contact_share(self) -> float | None:
        n = self.one_contact + self.repeated
        return self.one_contact / n if n else None

    @property
    def greeted_share(self) -> float | None:
        return self.greeted / self.samples if self.samples else None


def _count(row: Row, call: Call, rule: RingRule) -> None:
    figures = call_figures(call, rule)
    row.offered += 1
    if figures.queue_seconds is not None:
        row.queue_waits.append(figures.queue_seconds)
    if call.answered_at is not None:
        row.answered += 1
        row.measured += 1
        row.within += 1 if figures.within else 0
        if figures.ring_seconds is not None:
            row.ring_waits.append(figures.ring_seconds)
    elif call.ended:
        if call.state == CallState.ABANDONED:
            row.abandoned += 1
        else:
            row.missed += 1
        if figures.rings is not None and figures.rings > rule.threshold:
            row.measured += 1  # rang past the threshold unanswered: a failed call


def _group(calls: Iterable[Call], key, rule: RingRule) -> list[Row]:  # type: ignore[no-untyped-def]
    rows: dict[str, Row] = {}
    for call in calls:
        label = key(call)
        if label is None:
            continue
        _count(rows.setdefault(label, Row(label)), call, rule)
    return sorted(rows.values(), key=lambda r: r.label)


def measure_day(day: datetime, *, now: datetime | None = None) -> DayMeasures:
    now = now or timezone.now()
    rule = ring_rule()
    start = timezone.localtime(day).replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=1)
    calls = list(
        Call.objects.filter(offered_at__gte=start, offered_at__lt=end)
        .select_related("answered_by", "line")
        .prefetch_related("legs__employee")
    )
    total = Row("")
    for call in calls:
        _count(total, call, rule)
    by_line = _group(calls, lambda c: format_phone(c.line_number) or "—", rule)
    by_queue = _group(calls, lambda c: c.queue or None, rule)
    by_employee = _group(calls, lambda c: c.answered_by.full_name if c.answered_by else None, rule)

    callbacks = list(Callback.objects.filter(due_at__gte=start, due_at__lt=end))
    kept = sum(1 for cb in callbacks if cb.made_at is not None and cb.made_at <= cb.due_at)
    late = sum(1 for cb in callbacks if cb.made_at is not None and cb.made_at > cb.due_at)
    late += sum(1 for cb in callbacks if cb.made_at is None and cb.due_at < now)
    owed = sum(1 for cb in callbacks if cb.made_at is None and cb.due_at >= now)

    commitment = get_policy()["PHONE-ONE-CONTACT"]
    days = commitment.again_within.amount if commitment.again_within else 3
    calendar = get_calendar()
    noted = [c for c in calls if c.answered_at is not None and c.case_id is not None]
    later = defaultdict(list)
    if noted:
        for c in Call.objects.filter(
            case_id__in={c.case_id for c in noted}, offered_at__gte=start
        ).only("id", "case_id", "offered_at"):
            later[c.case_id].append(c)
    one = repeated = pending = 0
    for call in noted:
        window_end = calendar.add_working_days(call.offered_at, days)
        again = any(
            other.pk != call.pk and call.offered_at < other.offered_at <= window_end
            for other in later[call.case_id]
        )
        if again:
            repeated += 1
        elif window_end > now:
            pending += 1
        else:
            one += 1

    samples = list(CallSample.objects.filter(call__offered_at__gte=start, call__offered_at__lt=end))
    return DayMeasures(
        total=total,
        by_line=by_line,
        by_queue=by_queue,
        by_employee=by_employee,
        callbacks_due=len(callbacks),
        callbacks_kept=kept,
        callbacks_late=late,
        callbacks_owed=owed,
        one_contact=one,
        repeated=repeated,
        one_contact_pending=pending,
        again_within_days=days,
        samples=len(samples),
        greeted=sum(1 for s in samples if s.greeting_given),
        complete=sum(1 for s in samples if s.answer_complete),
        threshold=rule.threshold,
    )
