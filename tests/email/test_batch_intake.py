"""A batch written through ``case_receive_batch`` (the queue in ``intake.batching``) ends with the
same rows as taking the same messages one at a time (the fallback path, ``case_open`` +
``case_add_message`` per message): threading inside the batch, duplicates, automatic replies,
reopening, subject references to a case opened in the same batch, quarantine in between."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import transaction

from charterdesk.cases.models import Case, CaseEvent, Message
from charterdesk.cases.services import case_open, case_resolve
from charterdesk.channels.email.intake import process as process_module
from charterdesk.channels.email.intake.parser import Parser
from charterdesk.channels.email.intake.process import ProcessStats, process_pending
from charterdesk.channels.email.intake.store import RawMail, store_raw
from charterdesk.channels.email.models import InboundEmail
from charterdesk.sla.models import Timer
from tests.email.messages import build
from tests.factories import make_client, make_employee, make_institution

pytestmark = pytest.mark.django_db

AUTO = {"Auto-Submitted": "auto-replied"}


def at(minute: int) -> datetime:
    return datetime(2026, 11, 24, 9, minute, tzinfo=UTC)


@pytest.fixture
def mailbox():
    make_institution()
    boss = make_employee()
    old = case_open(client=make_client(email="vecs@example.lv"), channel="email", subject="Vecs")
    Message.objects.create(
        case=old,
        channel="email",
        direction="out",
        kind="reply",
        body="Atbilde",
        message_id="<our-1@altum.lv>",
        created_at=old.created_at,
    )
    done = case_open(client=make_client(email="beigts@example.lv"), channel="email", subject="B")
    case_resolve(case=done, by=boss)
    done2 = case_open(client=make_client(email="beigts2@example.lv"), channel="email", subject="C")
    case_resolve(case=done2, by=boss)
    following = f"ALT-2026-{Case.objects.count() + 1:06d}"  # the batch's first new case
    raws = [
        build(message_id="<a@example.lv>", sender="Anna <anna@example.lv>", subject="Pirmais"),
        build(message_id="<b@example.lv>", sender="Bruno <bruno@example.lv>", subject="Otrais"),
        # answers a message of the same batch, by In-Reply-To and by References
        build(in_reply_to="<a@example.lv>", sender="anna@example.lv", subject="Re: Pirmais"),
        build(references="<x@else> <b@example.lv>", sender="bruno@example.lv", subject="Vēl"),
        # the same Message-ID again with other bytes: a duplicate of a queued message
        build(message_id="<a@example.lv>", sender="anna@example.lv", subject="Pirmais (kopija)"),
        # an automatic reply to a queued message, and to a finished case (a note)
        build(in_reply_to="<b@example.lv>", sender="bruno@example.lv", headers=AUTO),
        build(subject=f"Re: [{done.reference}]", sender="beigts@example.lv", headers=AUTO),
        # a client writing to a finished case reopens it; then a second message on it
        build(subject=f"Re: [{done2.reference}]", sender="beigts2@example.lv"),
        build(subject=f"Re: [{done2.reference}] vēl", sender="beigts2@example.lv"),
        # an answer to our outbound message on a stored case
        build(in_reply_to="<our-1@altum.lv>", sender="vecs@example.lv", subject="Re: Vecs"),
        # the reference of the case the first message of this batch opens
        build(subject=f"Par {following}", sender="anna@example.lv"),
        # quarantined in between: no sender, a forbidden attachment
        build(sender="", subject="Bez sūtītāja"),
        build(attachments=[("x.exe", "application/octet-stream", b"MZ")], subject="exe"),
        build(message_id="<c@example.lv>", sender="Cita <cita@example.lv>", subject="Trešais"),
    ]
    store_raw([RawMail(raw, "test", received_at=at(i), envelope={}) for i, raw in enumerate(raws)])
    return raws


def snapshot() -> dict[str, Any]:
    refs = dict(Case.objects.values_list("pk", "reference"))
    bodies = {pk: (refs[c], b) for pk, c, b in Message.objects.values_list("pk", "case_id", "body")}
    return {
        "rows": [
            (r.state, r.reason, refs.get(r.case_id), bodies.get(r.case_message_id), r.info)
            for r in InboundEmail.objects.order_by("pk")
        ],
        "cases": sorted(
            Case.objects.values_list("reference", "subject", "client__email", "status", "version")
        ),
        "messages": [
            (refs[m.case_id], m.direction, m.kind, m.subject, m.body, m.sender, m.meta)
            for m in Message.objects.order_by("pk")
        ],
        "events": [
            (refs[e.case_id], e.type, e.at, {k: v for k, v in e.params.items() if k != "timer"})
            for e in CaseEvent.objects.order_by("pk")
        ],
        "timers": sorted(
            (refs[t.case_id], t.commitment_id, t.due_at, t.status) for t in Timer.objects.all()
        ),
    }


def one_at_a_time() -> None:
    rows = list(InboundEmail.objects.order_by("pk"))
    parser = Parser(None)
    results = parser.result(parser.submit(rows), rows)
    stats = ProcessStats()
    for row, result in zip(rows, results, strict=True):
        process_module._write_one(row, result, stats)


def run(fn: Any) -> dict[str, Any]:
    with transaction.atomic():
        fn()
        result = snapshot()
        transaction.set_rollback(True)
    return result


def test_a_batch_ends_as_one_message_at_a_time(mailbox):
    single = run(one_at_a_time)
    batched = run(lambda: process_pending(workers=0, batch_size=200))
    for key in single:
        assert batched[key] == single[key], key
    states = [r[0] for r in batched["rows"]]
    assert states.count("duplicate") == 1 and states.count("quarantined") == 2
    by_subject = {m[3]: m for m in batched["messages"]}
    assert by_subject["Re: Pirmais"][0] == by_subject["Pirmais"][0]  # threaded in the batch
    first_case = by_subject["Pirmais"][0]
    assert any(m[4] and m[0] == first_case and m[3].startswith("Par ") for m in batched["messages"])
