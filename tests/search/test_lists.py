"""The search step indexes each touched case once per recorded list, with the same document as
when the messages come one at a time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import transaction

from charterdesk.cases import services as cs
from charterdesk.cases.models import Case
from charterdesk.cases.services import InboundItem
from charterdesk.search import indexing
from charterdesk.search.models import SearchDocument
from tests.factories import make_client

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 24, 9, tzinfo=UTC)


def documents() -> list[tuple[str, str]]:
    refs = dict(Case.objects.values_list("pk", "reference"))
    return sorted((refs[d.case_id], d.text) for d in SearchDocument.objects.all())


def batch_items() -> list[InboundItem]:
    old = cs.case_open(client=make_client(email="vecs@example.lv"), channel="email", subject="Vecs")
    client = make_client(name="Līga Ābele", email="liga@example.lv", phone="+37167774010")
    return [
        InboundItem(body="Pirmā vēstule", client=client, channel="email", subject="Kredīts", at=AT),
        InboundItem(body="Otrā: Ķekava", case_id=old.pk, at=AT),
        InboundItem(body="Trešā — ŽŪRIJA", case_id=old.pk, at=AT),
    ]


def one_by_one(items: list[InboundItem]) -> None:
    for item in items:
        case = (
            Case.objects.get(pk=item.case_id)
            if item.case_id
            else cs.case_open(
                client=item.client, channel=item.channel, subject=item.subject, at=item.at
            )
        )
        cs.case_add_message(
            case=case, direction="in", kind="request", body=item.body, channel=item.channel, at=AT
        )


def run(fn: Any, items: list[InboundItem]) -> list[tuple[str, str]]:
    with transaction.atomic():
        fn(items)
        result = documents()
        transaction.set_rollback(True)
    return result


def test_batch_documents_equal_per_event_documents():
    items = batch_items()
    per_event = run(one_by_one, items)
    batched = run(cs.case_receive_batch, items)
    assert batched == per_event
    assert any("kekava" in text and "zurija" in text for _ref, text in batched)  # folded
    assert any("67774010" in text for _ref, text in batched)


def test_each_touched_case_is_indexed_once(monkeypatch):
    items = batch_items()
    calls: list[list[tuple[int, str]]] = []
    real = indexing.store

    def counting(rows: list[tuple[int, str]]) -> None:
        calls.append(rows)
        real(rows)

    monkeypatch.setattr(indexing, "store", counting)
    cs.case_receive_batch(items)
    assert len(calls) == 1  # one upsert for the batch
    assert sorted(pk for pk, _text in calls[0]) == sorted(
        {m.case_id for m in Case.objects.get(pk=items[1].case_id).messages.all()}
        | set(Case.objects.filter(subject="Kredīts").values_list("pk", flat=True))
    )
