"""The SLA engine: open, stop, check and re-compute commitment timers.

Everything is driven by the policy file: which events start a clock (``starts_on``), which stop
it (``stops_on``), which keep it by explaining (``explained_by``), how long it runs (``deadline``),
when to warn (``warn_before``) and when an action is owed (``margin``).  No commitment ID's
deadline is written here.

Rules:

* A stop event before (or at) the due moment keeps the commitment (``met``, kept by the answer);
  an ``explained_by`` event keeps it by explanation.  After the due moment the timer is
  ``breached`` and the late answer or explanation is still recorded.
* For a ``promised`` deadline an ``explained_by`` event moves the promise: the old timer is kept by
  explanation and a new timer runs to the new promised moment.
* Closed timers (met, breached, cancelled) are never re-computed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from charterdesk.calendar import get_calendar
from charterdesk.calendar.business import BusinessCalendar
from charterdesk.calendar.registry import current_revision
from charterdesk.cases.automatic import is_automatic
from charterdesk.cases.models import Case, CaseEvent
from charterdesk.cases.recording import record_event
from charterdesk.cases.services import case_set_next_due_many
from charterdesk.core.bulk import copy_insert
from charterdesk.sla.deadlines import DeadlineError, compute, has_deadline
from charterdesk.sla.hooks import owed_handler
from charterdesk.sla.models import KeptBy, Timer, TimerStatus
from charterdesk.standard import Commitment, get_policy
from charterdesk.standard.channels import ANY_CHANNEL
from charterdesk.standard.durations import DurationUnit
from charterdesk.standard.events import Event

log = logging.getLogger(__name__)

#: Above this many open timers a calendar/policy change is re-computed by a task, not inline.
INLINE_RECOMPUTE_LIMIT = 10_000
#: Above this many changed timers no deferred task is enqueued per timer: the sweep fires them.
ENQUEUE_LIMIT = 1_000

OWED = Q(status=TimerStatus.OPEN) | Q(
    status=TimerStatus.BREACHED, met_at__isnull=True, explained_at__isnull=True
)


@lru_cache(maxsize=1)
def _policy_stamp() -> str:
    from charterdesk.sla.policy_state import policy_hash

    return policy_hash()[:16]


def stamp() -> str:
    return f"policy:{_policy_stamp()} calendar:{current_revision()}"


def calendar_for(case: Case) -> BusinessCalendar:
    return get_calendar(case.office if case.office_id else None)


def decided_on_stop(commitment_id: str) -> bool:
    """Whether the policy's ``commitment_id`` is a deadline that may yet not apply
    (``cancelled_by``): its due moment breaches nothing, the timer is judged when it stops."""
    commitment = get_policy().commitments.get(commitment_id)
    return commitment is not None and commitment.decided_on_stop


def next_check(timer: Timer) -> datetime | None:
    """The earliest pending moment of an open timer (None when nothing is pending).  The due
    moment of a deadline decided on its stop is not one: nothing happens then."""
    if timer.status != TimerStatus.OPEN:
        return None
    moments = [] if decided_on_stop(timer.commitment_id) else [timer.due_at]
    if timer.warn_at is not None and timer.warned_at is None and timer.warn_at < timer.due_at:
        moments.append(timer.warn_at)
    if (
        timer.owed_at is not None
        and timer.handed_over_at is None
        and owed_handler(timer.commitment_id) is not None
    ):
        moments.append(timer.owed_at)
    return min(moments) if moments else None


def enqueue_after_commit(task_name: str, at: datetime, *args: Any) -> None:
    """After commit, enqueue the task ``task_name`` of ``charterdesk.sla.tasks`` with ``args``
    for ``at`` (at once if it has passed).  A failure to enqueue is logged: the periodic sweep is
    the safety net."""

    def enqueue() -> None:
        from charterdesk.sla import tasks  # tasks import this module

        task = getattr(tasks, task_name)
        try:
            if at <= timezone.now():
                task.enqueue(*args)
            elif task.get_backend().supports_defer:
                task.using(run_after=at).enqueue(*args)
        except Exception:
            log.exception("could not enqueue %s%r", task_name, args)

    transaction.on_commit(enqueue)


def schedule_fire(timer_id: int, at: datetime | None) -> None:
    """After commit, enqueue ``timer_fire`` for ``at`` (the sweep is the safety net)."""
    if at is not None:
        enqueue_after_commit("timer_fire", at, timer_id)


def schedule_fire_many(pending: list[tuple[int, datetime | None]]) -> None:
    """After commit, the deferred checks of newly opened timers: one ``timer_fire`` for a single
    timer, one ``timers_fire`` task for several, at the earliest of their moments.  That task
    checks those due and enqueues itself again for the rest, so each timer is still checked at
    its own moment; the periodic sweep remains the safety net if a task is lost."""
    moments = [(pk, at) for pk, at in pending if at is not None]
    if len(moments) == 1:
        schedule_fire(*moments[0])
    elif moments:
        enqueue_after_commit(
            "timers_fire", min(at for _pk, at in moments), [pk for pk, _ in moments]
        )


def refresh_cases_due(case_ids: Iterable[int]) -> None:
    """Store on each case the earliest due moment of its owed timers (the inbox order): one
    query for all of them, one ``UPDATE`` per distinct moment."""
    ids = sorted(set(case_ids))
    if not ids:
        return
    due = dict(
        Timer.objects.filter(OWED, case_id__in=ids)
        .values("case_id")
        .annotate(first=Min("due_at"))
        .values_list("case_id", "first")
    )
    case_set_next_due_many({case_id: due.get(case_id) for case_id in ids})


def refresh_case_due(case_id: int) -> None:
    refresh_cases_due([case_id])


# --- the deadline, opening and stopping ----------------------------------------------------------


def timer_deadline(
    timer: Timer,
    commitment: Commitment,
    calendar: BusinessCalendar,
    computed_with: str | None = None,
) -> None:
    """Set ``timer``'s due, warning and owed moments (and its next check) from ``commitment`` on
    ``calendar``: the one place a deadline is computed, for a new timer, a batch of them, or a
    re-computation.  A promised deadline runs to ``timer.due_at`` as given.  Raises
    ``DeadlineError`` when it cannot be computed."""
    promised = (
        timer.due_at
        if commitment.deadline and commitment.deadline.unit is DurationUnit.PROMISED
        else None
    )
    deadline = compute(commitment, calendar, timer.started_at, promised=promised)
    timer.due_at = deadline.due_at
    timer.warn_at = deadline.warn_at
    timer.owed_at = deadline.owed_at
    timer.computed_with = computed_with or stamp()
    timer.next_check_at = next_check(timer)


def _new_timer(
    event: CaseEvent, commitment: Commitment, promised: datetime | None, computed_with: str | None
) -> Timer | None:
    """``commitment``'s timer started by ``event`` (unsaved), or None if it cannot run (e.g. a
    promised deadline without the promised moment)."""
    timer = Timer(
        case=event.case,
        message=event.message,
        start_event=event,
        commitment_id=commitment.id,
        started_at=event.at,
        due_at=promised or event.at,
    )
    try:
        timer_deadline(timer, commitment, calendar_for(event.case), computed_with)
    except DeadlineError as exc:
        log.warning("case %s: no %s timer: %s", event.case.reference, commitment.id, exc)
        return None
    return timer


def _insert(timers: list[Timer]) -> None:
    if timers:
        copy_insert(timers, with_pks=True)
        schedule_fire_many([(t.pk, t.next_check_at) for t in timers])


def timer_stop(timer: Timer, *, at: datetime, event_type: str, kept_by: KeptBy) -> bool:
    """Record that ``event_type`` at ``at`` answered (or explained) ``timer``.  True if changed."""
    if not timer.is_owed:
        return False
    moment_field = "explained_at" if kept_by == KeptBy.EXPLANATION else "met_at"
    setattr(timer, moment_field, at)
    timer.kept_by = kept_by
    timer.stopped_by = event_type
    timer.next_check_at = None
    case = timer.case
    if timer.status == TimerStatus.OPEN:
        if at <= timer.due_at:
            timer.status = TimerStatus.MET
            timer.save()
            record_event(
                case=case,
                type=Event.TIMER_MET,
                message=timer.message,
                at=at,
                timer=timer.pk,
                commitment=timer.commitment_id,
                kept_by=str(kept_by),
                by_event=event_type,
                due=timer.due_at.isoformat(),
            )
            return True
        timer.status = TimerStatus.BREACHED
        timer.breached_at = timer.due_at
        timer.save()
        record_event(
            case=case,
            type=Event.TIMER_BREACHED,
            message=timer.message,
            at=timer.due_at,
            timer=timer.pk,
            commitment=timer.commitment_id,
            due=timer.due_at.isoformat(),
            late=True,
            kept_by=str(kept_by),
            by_event=event_type,
            answered_at=at.isoformat(),
        )
        return True
    timer.save()  # breached earlier: the late answer or explanation is recorded
    return True


# --- the listener: case events drive the timers ----------------------------------------------


def _event_channel(event: CaseEvent) -> str:
    if event.message_id is not None and event.message is not None:
        return str(event.message.channel)
    return str(event.params.get("channel") or event.case.channel)


def _channel_matches(commitment: Commitment, channel: str) -> bool:
    return ANY_CHANNEL in commitment.channels or channel in commitment.channels


def _promised_moment(event: CaseEvent) -> datetime | None:
    raw = event.params.get("due")
    if isinstance(raw, str):
        parsed = parse_datetime(raw)
        if parsed is not None and timezone.is_aware(parsed):
            return parsed
    return event.case.promised_by


def _is_promised(commitment: Commitment) -> bool:
    return bool(commitment.deadline and commitment.deadline.unit is DurationUnit.PROMISED)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What one event type does to the policy's clocks."""

    starts: tuple[Commitment, ...]
    stops: tuple[Commitment, ...]  # stopped (answered) or explained by it
    cancels: tuple[Commitment, ...] = ()  # no longer applies after it (``cancelled_by``)

    @classmethod
    def of(cls, etype: str) -> _Plan:
        clocks = [c for c in get_policy().commitments.values() if has_deadline(c)]
        return cls(
            starts=tuple(c for c in clocks if etype in c.starts_on),
            stops=tuple(c for c in clocks if etype in c.stops_on or etype in c.explained_by),
            cancels=tuple(c for c in clocks if etype in c.cancelled_by),
        )


def _cancel(event: CaseEvent, plan: _Plan) -> bool:
    """Cancel the running timers of the commitments ``event`` makes inapplicable (a submission
    answered by us needs no forwarding): they are left out of every figure.  Only running ones:
    a timer already kept or broken stays as judged.  True if one changed."""
    changed = 0
    for commitment in plan.cancels:
        changed += Timer.objects.filter(
            status=TimerStatus.OPEN,
            case_id=event.case_id,
            commitment_id=commitment.id,
            started_at__lte=event.at,
        ).update(status=TimerStatus.CANCELLED, stopped_by=str(event.type), next_check_at=None)
    return changed > 0


def _stop_or_explain(
    event: CaseEvent, plan: _Plan, computed_with: str | None
) -> tuple[bool, list[Timer]]:
    """Stop (or keep by explanation) the owed timers ``event`` answers; for a promised deadline
    an explanation moves the promise.  Returns whether a timer changed, and the new timers to
    open (to the new promised moment)."""
    etype = str(event.type)
    changed = False
    opened: list[Timer] = []
    for commitment in plan.stops:
        stops = etype in commitment.stops_on
        owed = (
            Timer.objects.select_for_update(of=("self",))
            .filter(OWED, case=event.case, commitment_id=commitment.id, started_at__lte=event.at)
            .select_related("case", "message")
        )
        kept_by = KeptBy.ANSWER if stops else KeptBy.EXPLANATION
        for timer in owed:
            changed |= timer_stop(timer, at=event.at, event_type=etype, kept_by=kept_by)
        if not stops and _is_promised(commitment):
            moved = _new_timer(event, commitment, _promised_moment(event), computed_with)
            if moved is not None:
                opened.append(moved)
    return changed, opened


def on_case_events(events: list[CaseEvent]) -> None:
    """The route's SLA step: open, stop and explain timers per the policy, for one event or ten
    thousand.  Per event, in order: the timers it answers or explains are stopped, then the
    clocks it starts are opened (not for automatic mail, RFC 3834, and only on the commitment's
    channels).  New timers are inserted together (one statement per run of events that only
    start clocks), each touched case's ``next_due_at`` is refreshed once at the end."""
    plans: dict[str, _Plan] = {}
    new: list[Timer] = []
    touched: set[int] = set()
    computed_with: str | None = None  # the policy and calendar stamp, read once if needed
    for event in events:
        etype = str(event.type)
        if etype.startswith("timer."):
            continue
        plan = plans.get(etype)
        if plan is None:
            plan = plans[etype] = _Plan.of(etype)
        if (plan.stops or plan.starts) and computed_with is None:
            computed_with = stamp()
        if plan.cancels:
            _insert(new)  # the timers opened before this event can be cancelled by it
            new = []
            if _cancel(event, plan):
                touched.add(event.case_id)
        if plan.stops:
            _insert(new)  # an owed query must see the timers opened before this event
            changed, new = _stop_or_explain(event, plan, computed_with)
            if changed or new:
                touched.add(event.case_id)
        if not plan.starts or is_automatic(event.message):
            continue
        channel = _event_channel(event)
        for commitment in plan.starts:
            if not _channel_matches(commitment, channel):
                continue
            promised = _promised_moment(event) if _is_promised(commitment) else None
            timer = _new_timer(event, commitment, promised, computed_with)
            if timer is not None:
                new.append(timer)
                touched.add(event.case_id)
    _insert(new)
    refresh_cases_due(touched)


# --- re-computing after a policy or calendar change ------------------------------------------


def timers_recompute(*, case_ids: Iterable[int] | None = None) -> int:
    """Re-compute the due, warning and owed moments of open timers with the current policy and
    calendars; a commitment the policy no longer has as a deadline cancels its timers.  Closed
    timers keep the values they were judged by.  Returns how many timers changed."""
    policy = get_policy()
    query = Timer.objects.filter(status=TimerStatus.OPEN).select_related("case", "case__office")
    if case_ids is not None:
        query = query.filter(case_id__in=list(case_ids))
    fields = ["due_at", "warn_at", "owed_at", "next_check_at", "computed_with", "status"]
    changed: list[Timer] = []
    touched_cases: set[int] = set()
    computed_with = stamp()
    batch: list[Timer] = []
    for timer in query.iterator(chunk_size=2000):
        before = (timer.due_at, timer.warn_at, timer.owed_at, timer.status)
        commitment = policy.commitments.get(timer.commitment_id)
        if commitment is None or not has_deadline(commitment):
            timer.status = TimerStatus.CANCELLED
            timer.next_check_at = None
        else:
            try:
                timer_deadline(timer, commitment, calendar_for(timer.case), computed_with)
            except DeadlineError:
                continue
        timer.computed_with = computed_with
        batch.append(timer)
        if before != (timer.due_at, timer.warn_at, timer.owed_at, timer.status):
            changed.append(timer)
            touched_cases.add(timer.case_id)
        if len(batch) >= 2000:
            Timer.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        Timer.objects.bulk_update(batch, fields)
    refresh_cases_due(touched_cases)
    if len(changed) <= ENQUEUE_LIMIT:
        for timer in changed:
            schedule_fire(timer.pk, timer.next_check_at)
    return len(changed)


def on_calendar_changed() -> None:
    """Registered with ``charterdesk.calendar.services``: re-compute open timers (inline when few,
    else by a task)."""
    if Timer.objects.filter(status=TimerStatus.OPEN).count() <= INLINE_RECOMPUTE_LIMIT:
        timers_recompute()
        return
    from charterdesk.sla.tasks import timers_recompute_task

    transaction.on_commit(lambda: timers_recompute_task.enqueue())
