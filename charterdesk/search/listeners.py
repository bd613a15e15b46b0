"""Keeps search documents current: registered with the case events in ``SearchConfig.ready``."""

from __future__ import annotations

from charterdesk.cases.models import CaseEvent
from charterdesk.search.indexing import index_case, index_cases
from charterdesk.standard.events import Event

# The events after which a case's words change.
INDEXED_EVENTS = frozenset(
    {Event.CASE_OPENED, Event.MESSAGE_RECEIVED, Event.MESSAGE_SENT, Event.NOTE_ADDED}
)


def on_case_event(event: CaseEvent) -> None:
    if event.type in INDEXED_EVENTS:
        index_case(event.case_id)


def on_case_events(events: list[CaseEvent]) -> None:
    """The batch form (``record_events_bulk``): every touched case indexed once, one upsert."""
    index_cases(sorted({e.case_id for e in events if e.type in INDEXED_EVENTS}))
