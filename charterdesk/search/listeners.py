"""Keeps search documents current: the route's search step (``charterdesk.assembly.route``)."""

from __future__ import annotations

from charterdesk.cases.models import CaseEvent
from charterdesk.search.indexing import index_cases
from charterdesk.standard.events import Event

# The events after which a case's words change.
INDEXED_EVENTS = frozenset(
    {Event.CASE_OPENED, Event.MESSAGE_RECEIVED, Event.MESSAGE_SENT, Event.NOTE_ADDED}
)


def on_case_events(events: list[CaseEvent]) -> None:
    """Every touched case indexed once, with one upsert (one event or a batch alike)."""
    index_cases(sorted({e.case_id for e in events if e.type in INDEXED_EVENTS}))
