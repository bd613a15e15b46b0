"""The SLA engine for a batch of case events (e-mail intake, ``record_events_bulk``).

Events that only *start* clocks (``message.received`` for ``[EMAIL-ACK]`` and
``[EMAIL-REPLY-1BD]``) are computed for the whole batch and their timers inserted with one
statement; the cases' ``next_due_at`` is refreshed once per touched case.  Any event that stops or
explains a commitment goes through the per-event listener (:func:`engine.on_case_event`), in
order, so the result is the same as calling that listener per event — which the tests check.

Firing: instead of one ``timer_fire`` task per timer, the batch enqueues **one** ``timers_fire``
task for its timers, to run at the earliest pending moment among them; that task checks every
timer of its list that is due and enqueues itself again for the earliest moment still pending.
So each timer is still checked at its own moment (give or take the task worker's polling), and
the periodic sweep remains the safety net if a task is lost: at worst a moment is acted on one
sweep interval late.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from charterdesk.cases.models import CaseEvent
from charterdesk.cases.services import case_set_next_due_many
from charterdesk.core.bulk import copy_insert
from charterdesk.sla import engine
from charterdesk.sla.deadlines import DeadlineError, has_deadline
from charterdesk.sla.models import Timer
from charterdesk.standard import Commitment, get_policy
from charterdesk.standard.durations import DurationUnit

log = logging.getLogger(__name__)


def _starts_only(etype: str) -> list[Commitment] | None:
    """The commitments ``etype`` starts, or None when it also stops or explains one (then the
    per-event listener handles it)."""
    starts: list[Commitment] = []
    for commitment in get_policy().commitments.values():
        if not has_deadline(commitment):
            continue
        if etype in commitment.stops_on or etype in commitment.explained_by:
            return None
        if etype in commitment.starts_on:
            if commitment.deadline and commitment.deadline.unit is DurationUnit.PROMISED:
                return None  # needs the promised moment: per event
            starts.append(commitment)
    return starts


def on_case_events(events: list[CaseEvent]) -> None:
    """Registered with ``register_batch_listener(…, replaces=engine.on_case_event)``."""
    plan: dict[str, list[Commitment] | None] = {}
    new: list[Timer] = []
    touched: set[int] = set()
    stamp = engine.stamp()
    for event in events:
        etype = str(event.type)
        if etype.startswith("timer."):
            continue
        if etype not in plan:
            plan[etype] = _starts_only(etype)
        starts = plan[etype]
        if starts is None:
            # Stops or explains: exactly as per event (and after the timers opened so far).
            _insert(new)
            new = []
            engine.on_case_event(event)
            continue
        if not starts or engine._is_automatic(event.message):
            continue
        channel = engine._event_channel(event)
        case = event.case
        for commitment in starts:
            if not engine._channel_matches(commitment, channel):
                continue
            timer = Timer(
                case=case,
                message=event.message,
                start_event=event,
                commitment_id=commitment.id,
                started_at=event.at,
                due_at=event.at,
            )
            try:
                engine._apply_deadline(timer, commitment, engine.calendar_for(case), stamp)
            except DeadlineError as exc:
                log.warning("case %s: no %s timer: %s", case.reference, commitment.id, exc)
                continue
            new.append(timer)
            touched.add(case.pk)
    _insert(new)
    refresh_cases_due(touched)


def _insert(timers: list[Timer]) -> None:
    if not timers:
        return
    copy_insert(timers, with_pks=True)
    schedule_fire_many([(t.pk, t.next_check_at) for t in timers])


def refresh_cases_due(case_ids: Iterable[int]) -> None:
    """``engine.refresh_case_due`` for many cases: one query for their earliest owed due moments."""
    ids = sorted(set(case_ids))
    if not ids:
        return
    due = dict(
        Timer.objects.filter(engine.OWED, case_id__in=ids)
        .values("case_id")
        .annotate(first=Min("due_at"))
        .values_list("case_id", "first")
    )
    case_set_next_due_many({case_id: due.get(case_id) for case_id in ids})


def schedule_fire_many(pending: list[tuple[int, datetime | None]]) -> None:
    """After commit, one ``timers_fire`` task for all ``pending`` timers, at the earliest moment."""
    moments = [at for _pk, at in pending if at is not None]
    if not moments:
        return
    ids = [pk for pk, at in pending if at is not None]
    enqueue_fire_many(ids, min(moments))


def enqueue_fire_many(ids: list[int], at: datetime) -> None:
    engine.enqueue_after_commit("timers_fire", at, ids)


def timers_fire_now(ids: list[int], now: datetime | None = None) -> int:
    """Check those of ``ids`` that are due at ``now``; enqueue the rest again for their earliest
    moment.  Returns how many were checked.  Idempotent: checking early or twice does nothing."""
    now = now or timezone.now()
    rows = list(Timer.objects.filter(pk__in=ids).values_list("pk", "next_check_at"))
    due = [pk for pk, at in rows if at is not None and at <= now]
    for pk in due:
        engine.timer_check(pk, now)
    later: dict[int, datetime] = {
        pk: at
        for pk, at in Timer.objects.filter(pk__in=ids, next_check_at__gt=now).values_list(
            "pk", "next_check_at"
        )
        if at is not None
    }
    if later:
        with transaction.atomic():
            enqueue_fire_many(sorted(later), min(later.values()))
    return len(due)
