"""Reads of timers for the desk, the outbox and the reports."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

from django.db.models import QuerySet
from django.utils import timezone

from charterdesk.calendar import get_calendar
from charterdesk.cases.models import Case, Message
from charterdesk.sla.models import Timer, TimerStatus

REPLY_COMMITMENT = "EMAIL-REPLY-1BD"


def open_timers(case_ids: Iterable[int]) -> QuerySet[Timer]:
    """Timers still owed on these cases (running, or breached without an answer), soonest first."""
    from charterdesk.sla.engine import OWED

    return (
        Timer.objects.filter(OWED, case_id__in=list(case_ids))
        .select_related("case", "case__office")
        .order_by("due_at", "id")
    )


def case_timers(case: Case) -> QuerySet[Timer]:
    """Every timer of ``case``, open and closed, in the order they started."""
    return Timer.objects.filter(case=case).order_by("started_at", "id")


def expected_answer_by(case: Case, message: Message | None = None) -> datetime | None:
    """When the client can expect the answer: the due moment of the open EMAIL-REPLY-1BD timer
    (of ``message`` if given, else of the latest inbound message).  For the acknowledgement."""
    query = Timer.objects.filter(case=case, commitment_id=REPLY_COMMITMENT, status=TimerStatus.OPEN)
    if message is not None:
        query = query.filter(message=message)
    timer = query.order_by("-started_at", "-id").first()
    return timer.due_at if timer is not None else None


def ack_owed_at(case: Case, message: Message | None = None) -> datetime | None:
    """The moment the acknowledgement [EMAIL-ACK] is owed, if one is still owed."""
    from charterdesk.sla.hooks import ACK_COMMITMENT

    query = Timer.objects.filter(case=case, commitment_id=ACK_COMMITMENT, status=TimerStatus.OPEN)
    if message is not None:
        query = query.filter(message=message)
    timer = query.order_by("-started_at", "-id").first()
    return timer.owed_at if timer is not None else None


def working_time_left(timer: Timer, now: datetime | None = None) -> timedelta:
    """Working time from ``now`` to the timer's due moment on the case's calendar; negative when
    the due moment has passed (how much working time it is overdue)."""
    now = now or timezone.now()
    calendar = get_calendar(timer.case.office if timer.case.office_id else None)
    return calendar.working_time_between(now, timer.due_at)


class Urgency(StrEnum):
    OK = "ok"
    CLOSE = "close"  # amber: the warning moment has passed
    BREACHED = "breached"  # red: the due moment has passed unanswered
    DONE = "done"  # kept, or answered late: nothing owed any more


def urgency(timer: Timer, now: datetime | None = None) -> Urgency:
    """How the desk should colour the timer: red when breached, amber when close."""
    now = now or timezone.now()
    if not timer.is_owed:
        return Urgency.DONE
    if timer.status == TimerStatus.BREACHED or timer.due_at <= now:
        return Urgency.BREACHED
    if timer.warn_at is not None and timer.warn_at <= now:
        return Urgency.CLOSE
    return Urgency.OK
