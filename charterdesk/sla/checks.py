"""Checking timers when their moments come: hand over an owed action, warn, breach.

A warning or a breach is recorded as a ``timer.warning`` / ``timer.breached`` case event; the
route (``assembly/route.py``) hands it to the notifications step, which tells the employees.

A deferred task per new timer (or one for a batch of them, ``timers_fire``) runs :func:`timer_check`
at the timer's next pending moment; ``charterdesk sla sweep`` (:func:`sla_sweep`, through the
partial index on ``next_check_at``) is the safety net for a lost task or a stopped worker.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from charterdesk.cases.recording import record_event
from charterdesk.sla.engine import (
    calendar_for,
    decided_on_stop,
    enqueue_after_commit,
    next_check,
    refresh_case_due,
    schedule_fire,
)
from charterdesk.sla.hooks import owed_handler
from charterdesk.sla.models import Timer, TimerStatus
from charterdesk.standard.events import Event

log = logging.getLogger(__name__)


def due_for_check(now: datetime) -> QuerySet[Timer]:
    """The timers with something pending at ``now``, soonest first (the sweep's query, served by
    the partial index on ``next_check_at``)."""
    return Timer.objects.filter(next_check_at__lte=now).order_by("next_check_at")


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
        if (
            timer.status == TimerStatus.OPEN
            and timer.due_at <= now
            and not decided_on_stop(timer.commitment_id)  # judged when it stops
        ):
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
    ids = list(due_for_check(now).values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        for timer_id in ids[start : start + batch]:
            timer_check(timer_id, now)
    return len(ids)


def timers_fire_now(ids: list[int], now: datetime | None = None) -> int:
    """The ``timers_fire`` task: check those of ``ids`` that are due at ``now``; enqueue the rest
    again for their earliest moment.  Returns how many were checked.  Idempotent: checking early
    or twice does nothing."""
    now = now or timezone.now()
    rows = list(Timer.objects.filter(pk__in=ids).values_list("pk", "next_check_at"))
    due = [pk for pk, at in rows if at is not None and at <= now]
    for pk in due:
        timer_check(pk, now)
    later: dict[int, datetime] = {
        pk: at
        for pk, at in Timer.objects.filter(pk__in=ids, next_check_at__gt=now).values_list(
            "pk", "next_check_at"
        )
        if at is not None
    }
    if later:
        with transaction.atomic():
            enqueue_after_commit("timers_fire", min(later.values()), sorted(later))
    return len(due)
