"""One road: a message taken in alone (the batch service with one item, which is what
``case_open`` + ``case_add_message`` are) and the same message inside a batch of 500 give the same
rows and events — its case, message, attachments, events, timers and search document.

Ids and the case reference (which depends on how many cases were opened before) are replaced by
placeholders; everything else is compared as stored."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction

from charterdesk.cases import services as cs
from charterdesk.cases.models import Attachment, Case, CaseEvent, Message
from charterdesk.cases.services import AttachmentData, InboundItem
from charterdesk.search.models import SearchDocument
from charterdesk.sla.models import Timer
from tests.factories import make_client, make_employee, make_institution, make_programme

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 24, 8, 30, tzinfo=UTC)  # a Tuesday, 10:30 in Riga


@pytest.fixture
def world() -> dict[str, Any]:
    make_institution()
    boss = make_employee()
    programme = make_programme()
    resolved = cs.case_open(
        client=make_client(email="resolved@example.lv"),
        channel="email",
        subject="Atrisināta lieta",
        programme=programme,
        at=AT - timedelta(days=5),
    )
    cs.case_assign(case=resolved, to=boss, by=boss)
    cs.case_resolve(case=resolved, by=boss, summary="done")
    fillers = [
        cs.case_open(
            client=make_client(email=f"f{i}@example.lv"),
            channel="email",
            subject=f"Filler {i}",
            at=AT - timedelta(days=3),
        )
        for i in range(5)
    ]
    return {
        "programme": programme,
        "resolved": resolved.pk,
        "fillers": [c.pk for c in fillers],
        "anna": make_client(name="Anna Bērziņa", email="anna@example.lv", language="en"),
    }


def the_items(world: dict[str, Any]) -> list[InboundItem]:
    """The messages under test: one opening a case, one reopening a resolved case."""
    return [
        InboundItem(
            body="Labdien, lūdzu palīdzību ar aizdevumu.",
            client=world["anna"],
            channel="email",
            subject="  Aizdevums  ",
            programme=world["programme"],
            language="lv",
            body_html="<p>Labdien</p>",
            sender="Anna <anna@example.lv>",
            recipients="info@altum.lv",
            message_id="<a1@example.lv>",
            meta={"inbound_email": 1},
            attachments=(AttachmentData("rēķins.pdf", "application/pdf", b"%PDF-1.4 one"),),
            at=AT,
        ),
        InboundItem(
            body="Es atkal rakstu",
            case_id=world["resolved"],
            channel="email",
            message_id="<a2@example.lv>",
            at=AT + timedelta(minutes=1),
        ),
    ]


def fillers(world: dict[str, Any], n: int) -> list[InboundItem]:
    """Other clients' messages: new cases and messages on other cases, around the same time."""
    out: list[InboundItem] = []
    for i in range(n):
        at = AT + timedelta(seconds=i)
        if i % 3 == 0:
            out.append(InboundItem(body=f"p{i}", case_id=world["fillers"][i % 5], at=at))
        else:
            client = make_client(email=f"c{i}@example.lv")
            out.append(
                InboundItem(body=f"n{i}", client=client, channel="email", subject=f"S{i}", at=at)
            )
    return out


def rows_of(case_ids: list[int]) -> list[dict[str, Any]]:
    """Every row belonging to each case, ids replaced by their order within that case."""
    out = []
    for case_id in case_ids:
        case = Case.objects.get(pk=case_id)
        messages = list(Message.objects.filter(case=case).order_by("pk"))
        mrank = {m.pk: i for i, m in enumerate(messages)}
        events = list(CaseEvent.objects.filter(case=case).order_by("pk"))
        erank = {e.pk: i for i, e in enumerate(events)}
        timers = list(Timer.objects.filter(case=case).order_by("pk"))
        trank = {t.pk: i for i, t in enumerate(timers)}

        def params(p: dict[str, Any], trank: dict[int, int] = trank) -> dict[str, Any]:
            return {k: (trank[v] if k == "timer" else v) for k, v in p.items()}

        doc = SearchDocument.objects.filter(case=case).values_list("text", flat=True).first()
        out.append(
            {
                "case": (
                    case.subject,
                    case.client_id,
                    case.programme_id,
                    case.channel,
                    case.status,
                    case.language,
                    case.version,
                    case.created_at,
                    case.closed_at,
                    case.next_due_at,
                    case.promised_by,
                ),
                "messages": [
                    (
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
                    for m in messages
                ],
                "attachments": [
                    (mrank[a.message_id], a.filename, a.content_type, a.size, a.sha256, a.file.name)
                    for a in Attachment.objects.filter(message__case=case).order_by("pk")
                ],
                "events": [
                    (
                        e.type,
                        e.actor_id,
                        mrank.get(e.message_id) if e.message_id else None,
                        e.at,
                        params(e.params),
                    )
                    for e in events
                ],
                "timers": [
                    (
                        t.commitment_id,
                        mrank.get(t.message_id) if t.message_id else None,
                        erank.get(t.start_event_id) if t.start_event_id else None,
                        t.status,
                        t.started_at,
                        t.due_at,
                        t.warn_at,
                        t.owed_at,
                        t.next_check_at,
                        t.computed_with,
                    )
                    for t in timers
                ],
                "search": re.sub(r"alt[ -]\d{4}[ -]\d{6}", "<ref>", doc or "", flags=re.I),
            }
        )
    return out


def run(items: list[InboundItem], watched: list[int]) -> list[dict[str, Any]]:
    """Take ``items`` in (rolled back afterwards) and read the rows of the items at ``watched``."""
    with transaction.atomic():
        messages = cs.case_receive_batch(items)
        result = rows_of([messages[i].case_id for i in watched])
        transaction.set_rollback(True)
    return result


def test_one_message_alone_and_inside_a_batch_of_500_write_the_same(world):
    mine = the_items(world)
    alone = [run([item], [0]) for item in mine]
    others = fillers(world, 498)
    batch = [*others[:250], mine[0], *others[250:400], mine[1], *others[400:]]
    assert len(batch) == 500
    inside = run(batch, [250, 401])
    for got, want in zip(inside, [a[0] for a in alone], strict=True):
        for table in want:
            assert got[table] == want[table], table
    # The scenario covers what it claims to: a new case with its attachment and both clocks,
    # and a resolved case reopened by the client.
    opened, reopened = inside
    assert opened["case"][4] == "new" and len(opened["attachments"]) == 1
    assert {t[0] for t in opened["timers"]} == {"EMAIL-ACK", "EMAIL-REPLY-1BD"}
    assert [e[0] for e in reopened["events"]][-2:] == ["case.reopened", "message.received"]
    assert reopened["case"][4] == "open"
    assert "<ref>" in opened["search"] and "aizdevum" in opened["search"]


def test_the_services_are_the_batch_service_with_one_item(world):
    """``case_open`` + ``case_add_message`` write exactly what ``case_receive_batch([item])`` does."""
    item = the_items(world)[0]

    def by_services() -> list[dict[str, Any]]:
        with transaction.atomic():
            case = cs.case_open(
                client=item.client,  # type: ignore[arg-type]
                channel="email",
                subject=item.subject,
                programme=item.programme,
                language=item.language,
                at=item.at,
            )
            cs.case_add_message(
                case=case,
                direction="in",
                kind="request",
                body=item.body,
                channel="email",
                subject=item.subject,
                body_html=item.body_html,
                sender=item.sender,
                recipients=item.recipients,
                language=item.language,
                message_id=item.message_id,
                meta=item.meta,
                attachments=item.attachments,
                at=item.at,
            )
            result = rows_of([case.pk])
            transaction.set_rollback(True)
        return result

    assert by_services() == run([item], [0])
