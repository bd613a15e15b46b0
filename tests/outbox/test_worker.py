"""End to end through the real django_tasks_db worker (``charterdesk db_worker --batch``) and a
real SMTP server: the SLA engine's owed acknowledgement and an employee's reply, committed for
real, picked up by the worker and received by aiosmtpd; and a retry when the server was down."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from charterdesk.cases.services import case_reply
from charterdesk.outbox.models import OutboxMessage, OutboxState
from tests.factories import make_institution
from tests.outbox.conftest import make_staff, open_email_case, receive

pytestmark = pytest.mark.django_db(transaction=True)

WED_10 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # Wednesday 10:00 in Riga
ACK_OWED = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # 16:00: one working hour before closing


@contextmanager
def _signals_kept() -> Iterator[None]:
    """The worker installs its own SIGINT/SIGTERM handlers; give pytest its own back."""
    kinds = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    saved = {kind: signal.getsignal(kind) for kind in kinds}
    try:
        yield
    finally:
        for kind, handler in saved.items():
            signal.signal(kind, handler)


def run_worker() -> None:
    with _signals_kept():
        call_command(
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
            "--queue-name",
            "*",
            verbosity=0,
        )


def _text_and_html(mail):
    text = mail.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    html = mail.get_body(preferencelist=("html",)).get_content().replace("\r\n", "\n")
    return text, html


def test_ack_and_reply_through_the_real_worker(smtp_sink):
    make_institution()
    anna = make_staff("Anna", "Bērziņa", phone="+37167774010", email="anna@altum.lv")
    with time_machine.travel(WED_10, tick=False):
        case = open_email_case(assignee=anna, subject="Mājokļa garantija")
        receive(case, message_id="<q-1@example.lv>", references="<older@example.lv>")
        run_worker()
    assert smtp_sink.messages == []  # nothing owed yet

    # 16:00: the EMAIL-ACK timer is owed; its deferred task hands it to the outbox, whose task
    # sends it — all in the same worker run.
    with time_machine.travel(ACK_OWED, tick=False):
        run_worker()
    [ack] = smtp_sink.wait_for(1)
    assert ack["Auto-Submitted"] == "auto-replied"
    # An unverified sender's subject is not repeated in the acknowledgement (issue 13).
    assert ack["Subject"] == f"Jūsu e-pasts ir saņemts [{case.reference}]"
    assert ack["In-Reply-To"] == "<q-1@example.lv>"
    assert ack["References"] == "<older@example.lv> <q-1@example.lv>"
    text, html = _text_and_html(ack)
    assert case.reference in text
    assert "ne vēlāk kā 2026. gada 26. novembrī plkst. 10:00" in text
    assert "Attīstības finanšu institūcija Altum" in text and "altum@altum.lv" in html

    with time_machine.travel(ACK_OWED + timedelta(minutes=30), tick=False):
        case_reply(case=case, by=anna, body="Jā, garantiju var saņemt. Pieteikums — portālā.")
        run_worker()
    ack_mail, reply = smtp_sink.wait_for(2)
    row = OutboxMessage.objects.get(kind="reply")
    assert row.state == OutboxState.SENT and row.attempts == 1
    assert reply["Message-ID"] == row.message_id != ack_mail["Message-ID"]
    assert reply["Subject"] == f"Re: Mājokļa garantija [{case.reference}]"
    assert reply["In-Reply-To"] == "<q-1@example.lv>"
    assert reply["Auto-Submitted"] is None
    text, html = _text_and_html(reply)
    identity = (
        "Ar cieņu,\nAnna Bērziņa\nKonsultante\nAttīstības finanšu institūcija Altum\n"
        "Tālr. +371 67 774 010 · anna@altum.lv"
    )
    assert identity in text
    assert "<strong>Anna Bērziņa</strong>" in html
    assert '<a href="tel:+37167774010">+371 67 774 010</a>' in html
    assert '<a href="mailto:anna@altum.lv">anna@altum.lv</a>' in html
    assert "Jā, garantiju var saņemt. Pieteikums — portālā." in html


def test_worker_retries_after_an_outage(smtp_sink, settings):
    settings.CHARTERDESK_OUTBOX_RETRY_BASE = 60
    make_institution()
    anna = make_staff()
    t0 = WED_10 + timedelta(hours=1)
    with time_machine.travel(t0, tick=False):
        case = open_email_case(assignee=anna)
        receive(case)
        smtp_sink.stop()
        case_reply(case=case, by=anna, body="Atbilde")
        run_worker()  # fails, defers a retry one minute later
    row = OutboxMessage.objects.get()
    assert row.state == OutboxState.PENDING and row.attempts == 1
    assert row.next_attempt_at == t0 + timedelta(minutes=1)
    smtp_sink.start()
    with time_machine.travel(t0 + timedelta(seconds=59), tick=False):
        run_worker()  # the deferred task is not due yet
    assert smtp_sink.messages == []
    with time_machine.travel(t0 + timedelta(minutes=1), tick=False):
        run_worker()
    [mail] = smtp_sink.wait_for(1)
    row.refresh_from_db()
    assert row.state == OutboxState.SENT and row.attempts == 2
    assert mail["Message-ID"] == row.message_id
