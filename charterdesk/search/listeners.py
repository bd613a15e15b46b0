"""Keeps search documents current: registered with the case events in ``SearchConfig.ready``."""

from __future__ import annotations

from charterdesk.cases.models import CaseEvent
from charterdesk.search.indexing import index_case
from charterdesk.standard.events import Event

# The events after which a case's words change.
INDEXED_EVENTS = frozenset(
    {Event.CASE_OPENED, Event.MESSAGE_RECEIVED, Event.MESSAGE_SENT, Event.NOTE_ADDED}
)


def on_case_event(event: CaseEvent) -> None:
    if event.type in INDEXED_EVENTS:
        index_case(event.case_id)
