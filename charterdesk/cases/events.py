"""Writing case events, and the one place other packages hear about them.

Every case service records its change with :func:`record_event`.  Packages that must act on case
changes in the same transaction (the SLA engine opens and stops timers; the e-mail outbox queues an
outbound message) register a listener in their ``AppConfig.ready``.  This is the only way ``cases``
meets ``sla`` and the channels, so ``cases`` imports neither.  A listener that raises rolls the whole
case change back (e.g. the outbox refusing a reply without the identity block [EMAIL-IDENTITY]).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils import timezone

from charterdesk.cases.models import Case, CaseEvent, Message
from charterdesk.directory.models import Employee
from charterdesk.standard.events import Event

Listener = Callable[[CaseEvent], None]
_listeners: list[Listener] = []


def register_listener(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def unregister_listener(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def record_event(
    *,
    case: Case,
    type: Event,
    actor: Employee | None = None,
    message: Message | None = None,
    at: datetime | None = None,
    **params: Any,
) -> CaseEvent:
    event = CaseEvent(
        case=case,
        type=Event(type).value,
        actor=actor,
        message=message,
        at=at or timezone.now(),
        params=params,
    )
    event.save(force_insert=True)
    for listener in list(_listeners):
        listener(event)
    return event
