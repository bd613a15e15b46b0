from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from charterdesk.cases.access import require_change
from charterdesk.cases.errors import ConcurrentChange, IllegalTransition
from charterdesk.cases.models import Case, CaseEvent, Message
from charterdesk.cases.recording import new_event, record_events
from charterdesk.cases.status import TRANSITIONS, Status
from charterdesk.directory.models import Employee
from charterdesk.standard.events import Event

STATUS_EVENTS = {
    Status.RESOLVED: Event.CASE_RESOLVED,
    Status.CLOSED: Event.CASE_CLOSED,
    Status.DECLINED: Event.CASE_DECLINED,
    Status.REFERRED: Event.CASE_REFERRED,
}


def lock(case: Case, expected_version: int | None = None, *, by: Employee | None) -> Case:
    """Re-read ``case`` under a row lock; refuse if someone changed it since ``expected_version``,
    or if ``by`` may not change it (``cases/access.py``: 404 unseen, 403 read-only; ``None`` is the
    system).

    Bumps the version: every service that takes the lock changes the case."""
    fresh = Case.objects.select_for_update().get(pk=case.pk)
    require_change(by, fresh)
    if expected_version is not None and fresh.version != expected_version:
        raise ConcurrentChange(fresh.reference, expected_version, fresh.version)
    fresh.version += 1
    fresh.updated_at = timezone.now()
    fresh.save(update_fields=["version", "updated_at"])
    return fresh


def check_transition(case: Case, target: Status) -> None:
    current = Status(case.status)
    if target not in TRANSITIONS[current]:
        allowed = sorted(s.value for s in TRANSITIONS[current])
        raise IllegalTransition(case.reference, current.value, target.value, allowed)


def status_moved(
    case: Case,
    target: Status,
    *,
    by: Employee | None,
    at: datetime | None = None,
    message: Message | None = None,
    **params: object,
) -> tuple[list[str], list[CaseEvent]]:
    """Move ``case`` to ``target`` in memory (the transition checked, ``closed_at`` kept): the one
    rule of a status change, for one case or a batch.  Returns the fields it changed and its
    status event, unsaved (none for a move without one, e.g. from new or waiting to open)."""
    check_transition(case, target)
    previous = case.status
    case.status = target
    fields = ["status"]
    if target is Status.CLOSED:
        case.closed_at = at or timezone.now()
        fields.append("closed_at")
    elif previous == Status.CLOSED:
        case.closed_at = None
        fields.append("closed_at")
    if target is Status.OPEN and previous not in (Status.NEW, Status.WAITING):
        kind = Event.CASE_REOPENED
    elif target in STATUS_EVENTS:
        kind = STATUS_EVENTS[target]
    else:
        return fields, []
    event = new_event(
        case=case, type=kind, actor=by, at=at, message=message, previous=previous, **params
    )
    return fields, [event]


def set_status(
    case: Case,
    target: Status,
    *,
    by: Employee | None,
    at: datetime | None = None,
    event: bool = True,
    message: Message | None = None,
    **params: object,
) -> None:
    """Move ``case`` (already locked) to ``target``; writes the status event unless told not to."""
    fields, events = status_moved(case, target, by=by, at=at, message=message, **params)
    case.save(update_fields=fields)
    if event:
        record_events(events)
