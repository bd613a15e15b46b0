"""Writing case events, and the one place other packages hear about them.

Every case service records its change with :func:`record_event`.  Packages that must act on case
changes in the same transaction (the SLA engine opens and stops timers; the e-mail outbox queues an
outbound message) register a listener in their ``AppConfig.ready``.  This is the only way ``cases``
meets ``sla`` and the channels, so ``cases`` imports neither.  A listener that raises rolls the whole
case change back (e.g. the outbox refusing a reply without the identity block [EMAIL-IDENTITY]).

Batches (e-mail intake): :func:`record_events_bulk` inserts many events with one statement and then
calls each *batch listener* (:func:`register_batch_listener`) once with the whole list.  A package
that has a batch listener names the per-event listener it stands in for (``replaces=``); every other
per-event listener is still called once per event, in order, so it keeps working unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils import timezone

from charterdesk.cases.models import Case, CaseEvent, Message
from charterdesk.core.bulk import copy_insert
from charterdesk.directory.models import Employee
from charterdesk.standard.events import Event

Listener = Callable[[CaseEvent], None]
BatchListener = Callable[[list[CaseEvent]], None]
_listeners: list[Listener] = []
# (batch listener, the per-event listener it stands in for during record_events_bulk, or None)
_batch_listeners: list[tuple[BatchListener, Listener | None]] = []


def register_listener(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def unregister_listener(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def register_batch_listener(listener: BatchListener, *, replaces: Listener | None = None) -> None:
    """``listener(events)`` is called once per :func:`record_events_bulk` with its events.

    ``replaces``: a per-event listener of the same package that the batch listener does the work
    of; it is then not called per event for a bulk recording (it still is for :func:`record_event`).
    """
    if all(fn is not listener for fn, _r in _batch_listeners):
        _batch_listeners.append((listener, replaces))


def unregister_batch_listener(listener: BatchListener) -> None:
    _batch_listeners[:] = [(fn, r) for fn, r in _batch_listeners if fn is not listener]


def record_events_bulk(events: list[CaseEvent]) -> list[CaseEvent]:
    """Insert ``events`` (unsaved, in order) with one statement, then tell the listeners.

    Per-event listeners that no batch listener replaces are called per event, in order; then each
    batch listener once with the list.  Must run inside the caller's transaction."""
    if not events:
        return events
    now = timezone.now()
    for event in events:
        if event.pk is not None:
            raise ValueError("record_events_bulk takes new events only")
        event.type = Event(event.type).value
        if event.at is None:
            event.at = now
        if event.params is None:
            event.params = {}
    copy_insert(events, with_pks=True)
    replaced = {id(r) for _fn, r in _batch_listeners if r is not None}
    per_event = [fn for fn in _listeners if id(fn) not in replaced]
    for event in events:
        for listener in per_event:
            listener(event)
    for batch_listener, _r in list(_batch_listeners):
        batch_listener(events)
    return events


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
