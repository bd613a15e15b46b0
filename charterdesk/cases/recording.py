"""Writing case events, and the one door through which other packages hear about them.

Every case service records its change with :func:`record_events` (:func:`record_event` is the same
call with a list of one).  The events are inserted, then every listener of the *route* is called
once with the list, in the caller's transaction, in the route's order.  The route is stated in one
module, ``charterdesk.assembly.route`` (which packages hear which events, in what order); it is
installed here at start-up with :func:`install_route`, so ``cases`` imports none of the packages
that listen (the SLA engine, the outbox, search).  A listener that raises rolls the whole case
change back (e.g. the outbox refusing a reply without the identity block [EMAIL-IDENTITY]).

A listener always takes a list, whether one event was recorded or ten thousand: there is one
road.  Two doors are kept open, for packages written in parallel until they are moved into the
route: :func:`register_batch_listener` (a list listener) and :func:`register_listener` (a
per-event function, called for each event of the list); both run after the route's steps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone

from charterdesk.cases.models import Case, CaseEvent, Message
from charterdesk.core.bulk import copy_insert
from charterdesk.directory.models import Employee
from charterdesk.standard.events import Event

Listener = Callable[[list[CaseEvent]], None]

_route: list[Listener] = []
_registered: list[Listener] = []


def install_route(listeners: Sequence[Listener]) -> None:
    """Called once by ``charterdesk.assembly`` at start-up: the listeners, in their order."""
    _route[:] = list(listeners)


def register_batch_listener(listener: Listener) -> None:
    """Add a list listener after the route's (a package not yet written into the route)."""
    if listener not in _registered:
        _registered.append(listener)


def unregister_batch_listener(listener: Listener) -> None:
    if listener in _registered:
        _registered.remove(listener)


class _PerEvent:
    """A per-event function as a list listener (the transition door of :func:`register_listener`)."""

    def __init__(self, fn: Callable[[CaseEvent], None]) -> None:
        self.fn = fn

    def __call__(self, events: list[CaseEvent]) -> None:
        for event in events:
            self.fn(event)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _PerEvent) and other.fn is self.fn

    def __hash__(self) -> int:
        return id(self.fn)


def register_listener(fn: Callable[[CaseEvent], None]) -> None:
    """Add a per-event function after the route's (a package not yet written into the route)."""
    register_batch_listener(_PerEvent(fn))


def unregister_listener(fn: Callable[[CaseEvent], None]) -> None:
    unregister_batch_listener(_PerEvent(fn))


def listeners() -> list[Listener]:
    """Who hears a recorded list of events, in order."""
    return [*_route, *_registered]


def record_events(events: list[CaseEvent]) -> list[CaseEvent]:
    """Insert ``events`` (unsaved, in order), then call each listener once with the list.

    Must run inside the caller's transaction.  Returns ``events`` (with their ids)."""
    if not events:
        return events
    now = timezone.now()
    for event in events:
        if event.pk is not None:
            raise ValueError("record_events takes new events only")
        event.type = Event(event.type).value
        if event.at is None:
            event.at = now
        if event.params is None:
            event.params = {}
    copy_insert(events, with_pks=True)
    for listener in listeners():
        listener(events)
    return events


def new_event(
    *,
    case: Case,
    type: Event | str,
    actor: Employee | None = None,
    message: Message | None = None,
    at: datetime | None = None,
    **params: Any,
) -> CaseEvent:
    """An unsaved event, for :func:`record_events`."""
    return CaseEvent(
        case=case,
        type=Event(type).value,
        actor=actor,
        message=message,
        at=at or timezone.now(),
        params=params,
    )


def record_event(
    *,
    case: Case,
    type: Event | str,
    actor: Employee | None = None,
    message: Message | None = None,
    at: datetime | None = None,
    **params: Any,
) -> CaseEvent:
    """``record_events([new_event(...)])``: one event, the same road."""
    return record_events(
        [new_event(case=case, type=type, actor=actor, message=message, at=at, **params)]
    )[0]
