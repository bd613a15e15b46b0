"""Intake and the outbox together: a client's answer to our reply threads by In-Reply-To, and a
bounce of our reply marks the outbox row and the case's timeline."""

from __future__ import annotations

import pytest

from charterdesk.cases.services import case_reply
from charterdesk.channels.email.intake.process import process_pending
from charterdesk.channels.email.intake.store import RawMail, store_raw
from charterdesk.channels.email.models import InboundEmail, InboundState
from charterdesk.outbox.models import OutboxMessage, OutboxState
from tests.email.messages import build
from tests.email.test_intake import _dsn
from tests.factories import make_employee, make_institution

pytestmark = pytest.mark.django_db


def take_in(raw: bytes) -> InboundEmail:
    store_raw([RawMail(raw, "test")])
    process_pending(workers=0)
    return InboundEmail.objects.order_by("-id").first()


@pytest.fixture
def replied():
    make_institution()
    employee = make_employee("Anna", "Bērziņa")
    first = take_in(build(message_id="<q1@example.lv>"))
    reply = case_reply(case=first.case, by=employee, body="Jā, varat pieteikties portālā.")
    outbox = OutboxMessage.objects.get(case_message=reply)
    return first.case, reply, outbox


def test_answer_to_our_reply_threads_to_the_case(replied):
    case, reply, outbox = replied
    assert reply.message_id == outbox.message_id  # set by the outbox on the case message
    row = take_in(
        build(
            subject="Re: Jautājums",
            in_reply_to=outbox.message_id,
            references=f"<q1@example.lv> {outbox.message_id}",
        )
    )
    assert row.case == case and row.info["threaded_by"] == "headers"


def test_bounce_marks_the_outbox_row_and_the_timeline(replied):
    case, reply, outbox = replied
    row = take_in(_dsn(outbox.message_id, case.client.email))
    assert row.state == InboundState.PROCESSED and row.case == case
    assert row.case_message == reply and row.info["outbox_marked_bounced"] is True
    outbox.refresh_from_db()
    assert outbox.state == OutboxState.BOUNCED and "5.1.1" in outbox.bounce_reason
    assert case.events.filter(type="message.bounced", message=reply).count() == 1
    # A second copy of the report changes nothing.
    take_in(
        b"Received: from mx2 by desk; Tue, 24 Nov 2026 10:00:00 +0000\r\n"
        + _dsn(outbox.message_id, case.client.email)
    )
    assert case.events.filter(type="message.bounced").count() == 1
