"""``case_receive_batch`` writes exactly what ``case_open`` + ``case_add_message`` write per item.

The same items are taken in both ways from the same starting database (each run in a transaction
that is rolled back after its rows are read), and every row the run wrote — cases, messages,
attachments, events, SLA timers, search documents, reference counters — is compared with the ids
replaced by their order."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import transaction

from charterdesk.cases import services as cs
from charterdesk.cases.errors import CaseError
from charterdesk.cases.models import Attachment, Case, CaseEvent, Message, ReferenceCounter
from charterdesk.cases.services import AttachmentData, InboundItem
from charterdesk.search.models import SearchDocument
from charterdesk.sla.models import Timer
from tests.factories import make_client, make_employee, make_institution, make_programme

pytestmark = pytest.mark.django_db


def at(day: str, hour: int, minute: int = 0) -> datetime:
    y, m, d = (int(x) for x in day.split("-"))
    return datetime(y, m, d, hour, minute, tzinfo=UTC)


@pytest.fixture
def world():
    make_institution()
    programme = make_programme()
    boss = make_employee(competences=[programme])  # sees the programme's cases
    opened = {}
    for name in ("new", "open", "waiting", "resolved", "closed", "closed2", "resolved2"):
        opened[name] = cs.case_open(
            client=make_client(email=f"{name}@example.lv"),
            channel="email",
            subject=f"Case {name}",
            programme=programme,
            at=at("2026-11-20", 9),
        )
    for name in ("open", "waiting", "resolved", "closed", "closed2", "resolved2"):
        cs.case_assign(case=opened[name], to=boss, by=boss)
    cs.case_set_waiting(case=opened["waiting"], by=boss)
    for name in ("resolved", "closed", "closed2", "resolved2"):
        cs.case_resolve(case=opened[name], by=boss, summary="done")
    cs.case_close(case=opened["closed"], by=boss)
    cs.case_close(case=opened["closed2"], by=boss)
    return {name: case.pk for name, case in opened.items()} | {"programme": programme}


def items_for(world: dict[str, Any]) -> list[InboundItem]:
    anna = make_client(name="Anna Bērziņa", email="anna@example.lv", language="en")
    peteris = make_client(name="Pēteris Kalniņš", email="peteris@example.lv")
    files = (
        AttachmentData("rēķins.pdf", "application/pdf", b"%PDF-1.4 one"),
        AttachmentData("logo.png", "image/png", b"\x89PNG two", inline=True, content_id="logo@x"),
    )
    common: dict[str, Any] = {"sender": "x@example.lv", "recipients": "info@altum.lv"}
    return [
        InboundItem(
            body="Labdien, lūdzu palīdzību.",
            client=anna,
            channel="email",
            subject="  Aizdevums  ",
            programme=world["programme"],
            language="lv",
            body_html="<p>Labdien</p>",
            message_id="<a1@example.lv>",
            meta={"inbound_email": 1},
            attachments=files,
            at=at("2026-11-24", 8, 30),
            **common,
        ),
        InboundItem(body="Vēl jautājums", case_id=world["waiting"], at=at("2026-11-24", 9)),
        InboundItem(
            body="Atkal es",
            case_id=world["resolved"],
            channel="email",
            subject="Re: Case resolved",
            in_reply_to="<x@altum.lv>",
            references="<w@altum.lv> <x@altum.lv>",
            at=at("2026-11-24", 10),
        ),
        InboundItem(
            body="Out of office",
            case_id=world["closed"],
            meta={"auto_submitted": True, "auto_reason": "auto-replied"},
            at=at("2026-11-24", 11),
        ),
        InboundItem(body="Closed, but I write", case_id=world["closed2"], at=at("2026-11-24", 12)),
        InboundItem(body="One", case_id=world["new"], at=at("2026-11-24", 13)),
        InboundItem(body="Two", case_id=world["new"], at=at("2026-11-24", 13, 5)),
        InboundItem(body="Reopen", case_id=world["resolved2"], at=at("2026-11-24", 14)),
        InboundItem(body="Again", case_id=world["resolved2"], at=at("2026-11-24", 14, 1)),
        # New Year in Riga: 21:30 UTC on 31 December is already the next year there.
        InboundItem(
            body="Gada beigās",
            client=peteris,
            channel="email",
            subject="",
            at=at("2026-12-31", 21, 30),
        ),
        InboundItem(
            body="Vecajā gadā", client=peteris, channel="phone", at=at("2026-12-31", 21, 0)
        ),
        InboundItem(body="Portāls", client=anna, channel="portal", at=at("2027-01-02", 9)),
        # On cases of earlier items of the batch: a new one and a reopened one.
        InboundItem(body="Re: Portāls", same_case_as=11, at=at("2027-01-02", 10)),
        InboundItem(body="Re: Reopen", same_case_as=7, channel="email", at=at("2027-01-02", 11)),
    ]


def per_message(items: list[InboundItem]) -> list[Message]:
    out: list[Message] = []
    for item in items:
        if item.same_case_as is not None:
            case = Case.objects.get(pk=out[item.same_case_as].case_id)
        elif item.case_id is None:
            assert item.client is not None and item.channel is not None
            case = cs.case_open(
                client=item.client,
                channel=item.channel,
                subject=item.subject,
                programme=item.programme,
                language=item.language,
                at=item.at,
            )
        else:
            case = Case.objects.get(pk=item.case_id)
        out.append(
            cs.case_add_message(
                case=case,
                direction="in",
                kind="request",
                body=item.body,
                channel=item.channel,
                subject=item.subject,
                body_html=item.body_html,
                sender=item.sender,
                recipients=item.recipients,
                language=item.language,
                message_id=item.message_id,
                in_reply_to=item.in_reply_to,
                references=item.references,
                meta=item.meta,
                attachments=item.attachments,
                at=item.at,
            )
        )
    return out


def snapshot() -> dict[str, Any]:
    """Every row of the tables a run writes, ids replaced by their rank."""

    def ranks(model: Any) -> dict[int, int]:
        return {
            pk: i for i, pk in enumerate(model.objects.order_by("pk").values_list("pk", flat=True))
        }

    case_ref = dict(Case.objects.values_list("pk", "reference"))
    message_rank = ranks(Message)
    event_rank = ranks(CaseEvent)
    timer_rank = ranks(Timer)
    cases = [
        (
            c.reference,
            c.subject,
            c.client_id,
            c.programme_id,
            c.channel,
            c.status,
            c.language,
            c.version,
            c.created_at,
            c.closed_at,
            c.next_due_at,
        )
        for c in Case.objects.order_by("reference")
    ]
    messages = [
        (
            case_ref[m.case_id],
            m.channel,
            m.direction,
            m.kind,
            m.author_id,
            m.sender,
            m.recipients,
            m.subject,
            m.body,
            m.body_html,
            m.language,
            m.message_id,
            m.in_reply_to,
            m.references,
            m.created_at,
            m.meta,
        )
        for m in Message.objects.order_by("pk")
    ]
    attachments = [
        (
            message_rank[a.message_id],
            a.filename,
            a.content_type,
            a.size,
            a.sha256,
            a.file.name,
            a.inline,
            a.content_id,
        )
        for a in Attachment.objects.order_by("pk")
    ]

    def params(p: dict[str, Any]) -> dict[str, Any]:
        return {k: (timer_rank[v] if k == "timer" else v) for k, v in p.items()}

    events = [
        (
            case_ref[e.case_id],
            e.type,
            e.actor_id,
            message_rank.get(e.message_id) if e.message_id else None,
            e.at,
            params(e.params),
        )
        for e in CaseEvent.objects.order_by("pk")
    ]
    timers = [
        (
            case_ref[t.case_id],
            t.commitment_id,
            message_rank.get(t.message_id) if t.message_id else None,
            event_rank.get(t.start_event_id) if t.start_event_id else None,
            t.status,
            t.started_at,
            t.due_at,
            t.warn_at,
            t.owed_at,
            t.next_check_at,
        )
        for t in Timer.objects.order_by("pk")
    ]
    search = sorted((case_ref[d.case_id], d.text) for d in SearchDocument.objects.all())
    counters = sorted(ReferenceCounter.objects.values_list("prefix", "year", "last"))
    return {
        "cases": cases,
        "messages": messages,
        "attachments": attachments,
        "events": events,
        "timers": timers,
        "search": search,
        "counters": counters,
    }


def run(fn: Any, items: list[InboundItem]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    with transaction.atomic():
        messages = fn(items)
        result = snapshot()
        returned = [(m.case.reference, m.body) for m in messages]
        transaction.set_rollback(True)
    return result, returned


def test_batch_writes_what_the_services_write(world):
    items = items_for(world)
    one_by_one, returned_one = run(per_message, items)
    batch, returned_batch = run(cs.case_receive_batch, items)
    assert returned_batch == returned_one
    for table in one_by_one:
        assert batch[table] == one_by_one[table], table
    # The scenario covers what it claims to.
    types = [e[1] for e in batch["events"]]
    assert types.count("case.reopened") >= 3
    assert len(batch["attachments"]) == 2
    assert {c[1] for c in batch["counters"]} == {2026, 2027}
    assert any(t[1] == "EMAIL-ACK" for t in batch["timers"])
    by_ref = {c[0]: c for c in batch["cases"]}
    assert by_ref[Case.objects.get(pk=world["closed"]).reference][5] == "closed"
    assert by_ref[Case.objects.get(pk=world["closed2"]).reference][5] == "open"


def test_batch_is_atomic(world):
    before = snapshot()
    items = items_for(world)
    bad = [*items[:3], InboundItem(body="no client", channel="email", at=at("2026-11-24", 9))]
    with pytest.raises(CaseError):
        cs.case_receive_batch(bad)
    assert snapshot() == before


def test_one_counter_update_reserves_the_range(world, django_assert_max_num_queries):
    client = make_client(email="many@example.lv")
    items = [
        InboundItem(body=f"n{i}", client=client, channel="email", at=at("2026-11-24", 9, i))
        for i in range(30)
    ]
    refs_before = ReferenceCounter.objects.get(year=2026).last
    messages = cs.case_receive_batch(items)
    assert [m.case.reference for m in messages] == [
        f"ALT-2026-{n:06d}" for n in range(refs_before + 1, refs_before + 31)
    ]
    assert ReferenceCounter.objects.get(year=2026).last == refs_before + 30


def test_batch_queries_do_not_grow_with_the_batch(world, django_assert_max_num_queries):
    client = make_client(email="q@example.lv")

    def items(n: int) -> list[InboundItem]:
        return [
            InboundItem(body=f"q{i}", client=client, channel="email", at=at("2026-11-24", 9, i))
            for i in range(n)
        ]

    with django_assert_max_num_queries(40):
        cs.case_receive_batch(items(50))
