"""``record_events``: one insert, then the route's steps once with the list, in the route's order;
``record_event`` is the same call with a list of one; the transition doors for packages written
in parallel."""

from __future__ import annotations

import pytest

from charterdesk.assembly.route import ROUTE
from charterdesk.cases import recording
from charterdesk.cases.models import CaseEvent
from charterdesk.cases.services import case_open
from charterdesk.standard.events import Event
from tests.factories import make_client

pytestmark = pytest.mark.django_db


def make_case():  # type: ignore[no-untyped-def]
    return case_open(client=make_client(email="r@example.lv"), channel="phone", subject="x")


def test_the_route_is_installed_in_its_order():
    assert [step.name for step in ROUTE] == [
        "sla",
        "outbox",
        "post",
        "search",
        "feedback",
        "notifications",
    ]
    assert recording.listeners()[: len(ROUTE)] == list(ROUTE)


def test_one_event_and_many_take_the_same_road(monkeypatch):
    heard: list[list[str]] = []
    monkeypatch.setattr(
        recording, "_route", [lambda events: heard.append([e.type for e in events])]
    )
    case = make_case()
    heard.clear()
    one = recording.record_event(case=case, type=Event.NOTE_ADDED)
    assert one.pk is not None and heard == [["note.added"]]
    heard.clear()
    many = recording.record_events(
        [recording.new_event(case=case, type=t) for t in (Event.NOTE_ADDED, Event.CASE_CLOSED)]
    )
    assert all(e.pk for e in many) and heard == [["note.added", "case.closed"]]
    assert CaseEvent.objects.filter(case=case, type="note.added").count() == 2


def test_the_transition_doors(monkeypatch):
    monkeypatch.setattr(recording, "_registered", [])
    per_event: list[str] = []
    lists: list[int] = []

    def on_event(event: CaseEvent) -> None:
        per_event.append(event.type)

    def on_list(events: list[CaseEvent]) -> None:
        lists.append(len(events))

    recording.register_listener(on_event)
    recording.register_listener(on_event)  # once only
    recording.register_batch_listener(on_list)
    case = make_case()
    per_event.clear()
    lists.clear()
    recording.record_events(
        [recording.new_event(case=case, type=Event.NOTE_ADDED) for _ in range(3)]
    )
    assert per_event == ["note.added"] * 3 and lists == [3]
    recording.unregister_listener(on_event)
    recording.unregister_batch_listener(on_list)
    recording.record_event(case=case, type=Event.NOTE_ADDED)
    assert per_event == ["note.added"] * 3 and lists == [3]
