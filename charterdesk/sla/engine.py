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
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from charterdesk.calendar import get_calendar
from charterdesk.calendar.business import BusinessCalendar
from charterdesk.calendar.registry import current_revision
from charterdesk.cases.events import record_event
from charterdesk.cases.models import Case, CaseEvent, Message
from charterdesk.cases.services import case_set_next_due
from charterdesk.sla.deadlines import DeadlineError, compute, has_deadline
from charterdesk.sla.hooks import owed_handler
from charterdesk.sla.models import KeptBy, NotificationKind, Timer, TimerStatus
from charterdesk.sla.notify import notify
from charterdesk.standard import Commitment, get_policy
from charterdesk.standard.durations import DurationUnit
from charterdesk.standard.events import Event
from charterdesk.standard.policy import Channel

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


def next_check(timer: Timer) -> datetime | None:
    """The earliest pending moment of an open timer (None when nothing is pending)."""
    if timer.status != TimerStatus.OPEN:
        return None
    moments = [timer.due_at]
    if timer.warn_at is not None and timer.warned_at is None and timer.warn_at < timer.due_at:
        moments.append(timer.warn_at)
    if (
        timer.owed_at is not None
        and timer.handed_over_at is None
        and owed_handler(timer.commitment_id) is not None
    ):
        moments.append(timer.owed_at)
    return min(moments)


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


def refresh_case_due(case_id: int) -> datetime | None:
    """Store the earliest due moment of the case's owed timers on the case (the inbox order)."""
    # Two index range scans on (case, status, due_at) with LIMIT 1, rather than MIN over an OR.
    firsts = [
        Timer.objects.filter(case_id=case_id, status=TimerStatus.OPEN)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first(),
        Timer.objects.filter(
            case_id=case_id,
            status=TimerStatus.BREACHED,
            met_at__isnull=True,
            explained_at__isnull=True,
        )
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first(),
    ]
    due = min((d for d in firsts if d is not None), default=None)
    case_set_next_due(case_id=case_id, due=due)
    return due


# --- opening and stopping ----------------------------------------------------------------------


def _apply_deadline(
    timer: Timer,
    commitment: Commitment,
    calendar: BusinessCalendar,
    computed_with: str | None = None,
) -> None:
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


def timer_open(
    *,
    case: Case,
    commitment: Commitment,
    started_at: datetime,
    message: Message | None = None,
    start_event: CaseEvent | None = None,
    promised: datetime | None = None,
) -> Timer | None:
    """Open ``commitment``'s timer on ``case`` (once per start event).  None if it cannot run
    (e.g. a promised deadline without the promised moment)."""
    if (
        start_event is not None
        and Timer.objects.filter(start_event=start_event, commitment_id=commitment.id).exists()
    ):
        return None
    timer = Timer(
        case=case,
        message=message,
        start_event=start_event,
        commitment_id=commitment.id,
        started_at=started_at,
        due_at=promised or started_at,
    )
    try:
        _apply_deadline(timer, commitment, calendar_for(case))
    except DeadlineError as exc:
        log.warning("case %s: no %s timer: %s", case.reference, commitment.id, exc)
        return None
    timer.save(force_insert=True)
    schedule_fire(timer.pk, timer.next_check_at)
    return timer


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
    return Channel.ANY in commitment.channels or channel in {c.value for c in commitment.channels}


def _promised_moment(event: CaseEvent) -> datetime | None:
    raw = event.params.get("due")
    if isinstance(raw, str):
        parsed = parse_datetime(raw)
        if parsed is not None and timezone.is_aware(parsed):
            return parsed
    return event.case.promised_by


def _is_automatic(message: Message | None) -> bool:
    # RFC 3834 auto-replies (out-of-office, bounces) owe no answer.
    if message is None:
        return False
    meta: Any = message.meta or {}
    value = meta.get("auto_submitted") if isinstance(meta, dict) else None
    return bool(value) and str(value).lower() != "no"


def on_case_event(event: CaseEvent) -> None:
    """Registered with ``charterdesk.cases.events``: open, stop and explain timers per the policy."""
    etype = str(event.type)
    if etype.startswith("timer."):
        return
    policy = get_policy()
    relevant = [
        c
        for c in policy.commitments.values()
        if has_deadline(c)
        and (etype in c.starts_on or etype in c.stops_on or etype in c.explained_by)
    ]
    if not relevant:
        return
    case = event.case
    changed = False
    for commitment in relevant:
        stops = etype in commitment.stops_on
        explains = etype in commitment.explained_by
        if not (stops or explains):
            continue
        owed = (
            Timer.objects.select_for_update(of=("self",))
            .filter(OWED, case=case, commitment_id=commitment.id, started_at__lte=event.at)
            .select_related("case", "message")
        )
        for timer in owed:
            kept_by = KeptBy.ANSWER if stops else KeptBy.EXPLANATION
            changed |= timer_stop(timer, at=event.at, event_type=etype, kept_by=kept_by)
        if explains and commitment.deadline and commitment.deadline.unit is DurationUnit.PROMISED:
            # A moved promise: a new clock to the new promised moment.
            opened = timer_open(
                case=case,
                commitment=commitment,
                started_at=event.at,
                message=event.message,
                start_event=event,
                promised=_promised_moment(event),
            )
            changed |= opened is not None
    if _is_automatic(event.message):
        relevant = [c for c in relevant if etype not in c.starts_on]
    channel = _event_channel(event)
    for commitment in relevant:
        if etype in commitment.starts_on and _channel_matches(commitment, channel):
            promised = (
                _promised_moment(event)
                if commitment.deadline and commitment.deadline.unit is DurationUnit.PROMISED
                else None
            )
            opened = timer_open(
                case=case,
                commitment=commitment,
                started_at=event.at,
                message=event.message,
                start_event=event,
                promised=promised,
            )
            changed |= opened is not None
    if changed:
        refresh_case_due(case.pk)


# --- checking: warnings, hand-overs, breaches -------------------------------------------------


def _hand_over(timer: Timer, now: datetime) -> bool:
    handler = owed_handler(timer.commitment_id)
    if handler is None or timer.owed_at is None or timer.handed_over_at is not None:
        return False
    if timer.owed_at > now:
        return False
    try:
        with transaction.atomic():
            Timer.objects.filter(pk=timer.pk).update(handed_over_at=now)
            handler(timer_id=timer.pk, case_id=timer.case_id, message_id=timer.message_id)
    except Exception:
        log.exception(
            "the %s sender failed for timer %s; the sweep will retry", timer.commitment_id, timer.pk
        )
        return False
    return True


def timer_check(timer_id: int, now: datetime | None = None) -> bool:
    """Do what is due on one timer at ``now``: hand over an owed action, warn, or breach.

    Idempotent; a timer locked by another worker is skipped.  True if anything happened."""
    now = now or timezone.now()
    acted = False
    with transaction.atomic():
        timer = (
            Timer.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("case", "case__assignee", "case__team", "message")
            .filter(pk=timer_id)
            .first()
        )
        if timer is None:
            return False
        if timer.status != TimerStatus.OPEN:
            if timer.next_check_at is not None:
                Timer.objects.filter(pk=timer.pk).update(next_check_at=None)
            return False
        if _hand_over(timer, now):
            acted = True
            timer.refresh_from_db()
        if timer.status == TimerStatus.OPEN and timer.due_at <= now:
            timer.status = TimerStatus.BREACHED
            timer.breached_at = timer.due_at
            timer.next_check_at = None
            timer.save(update_fields=["status", "breached_at", "next_check_at"])
            record_event(
                case=timer.case,
                type=Event.TIMER_BREACHED,
                message=timer.message,
                at=timer.due_at,
                timer=timer.pk,
                commitment=timer.commitment_id,
                due=timer.due_at.isoformat(),
                detected_at=now.isoformat(),
            )
            notify(case=timer.case, timer=timer, kind=NotificationKind.BREACH, at=now)
            acted = True
        elif (
            timer.status == TimerStatus.OPEN
            and timer.warn_at is not None
            and timer.warned_at is None
            and timer.warn_at <= now
        ):
            timer.warned_at = now
            timer.save(update_fields=["warned_at"])
            left = calendar_for(timer.case).working_time_between(now, timer.due_at)
            record_event(
                case=timer.case,
                type=Event.TIMER_WARNING,
                message=timer.message,
                at=now,
                timer=timer.pk,
                commitment=timer.commitment_id,
                due=timer.due_at.isoformat(),
                working_seconds_left=int(left.total_seconds()),
            )
            notify(case=timer.case, timer=timer, kind=NotificationKind.WARNING, at=now)
            acted = True
        pending = next_check(timer)
        if pending != timer.next_check_at:
            timer.next_check_at = pending
            timer.save(update_fields=["next_check_at"])
        if acted:
            refresh_case_due(timer.case_id)
            schedule_fire(timer.pk, pending)
    return acted


def sla_sweep(now: datetime | None = None, *, batch: int = 500) -> int:
    """Check every timer with something pending at ``now`` (found through the partial index).

    One pass over what was pending when it started; returns how many timers it checked."""
    from charterdesk.sla.policy_state import ensure_policy_current

    ensure_policy_current()
    now = now or timezone.now()
    ids = list(
        Timer.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), batch):
        for timer_id in ids[start : start + batch]:
            timer_check(timer_id, now)
    return len(ids)


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
                _apply_deadline(timer, commitment, calendar_for(timer.case), computed_with)
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
    for case_id in touched_cases:
        refresh_case_due(case_id)
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
