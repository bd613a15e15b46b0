"""The LMTP/SMTP receiver (aiosmtpd): stored before it answers 250, processed afterwards."""

from __future__ import annotations

import smtplib
import time

import pytest

from charterdesk.cases.models import Case
from charterdesk.channels.email.intake.process import process_pending
from charterdesk.channels.email.models import InboundEmail, InboundState
from charterdesk.channels.email.transports.lmtp import LmtpReceiver, ProcessingThread
from tests.email.dovecot import free_port
from tests.email.messages import build
from tests.factories import make_programme


@pytest.fixture
def receiver():
    started = []

    def start(protocol: str = "lmtp", **options):
        port = free_port()
        worker = ProcessingThread(lambda: process_pending(workers=0), interval=0.5)
        worker.start()
        backend = LmtpReceiver("test", {"HOST": "127.0.0.1", "PORT": port, "PROTOCOL": protocol})
        controller = backend.controller(worker.wake.set)
        controller.start()
        started.append((controller, worker))
        return port

    yield start
    for controller, worker in started:
        controller.stop()
        worker.stop.set()
        worker.wake.set()
        worker.join(timeout=10)


def wait_processed(count: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if InboundEmail.objects.filter(state=InboundState.PROCESSED).count() >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"{count} messages were not processed in time")


@pytest.mark.django_db(transaction=True)
def test_lmtp_delivery_answers_per_recipient_and_opens_a_case(receiver):
    housing = make_programme(code="housing", public_email="majokli@altum.lv")
    port = receiver("lmtp")
    raw = build(to="altum@altum.lv")
    client = smtplib.LMTP("127.0.0.1", port)
    client.ehlo_or_helo_if_needed()
    assert client.mail("janis@example.lv")[0] == 250
    for rcpt in ("majokli@altum.lv", "altum@altum.lv"):
        assert client.rcpt(rcpt)[0] == 250
    # RFC 2033: one reply per recipient after DATA (smtplib reads only the first itself).
    assert client.data(raw)[0] == 250
    assert client.getreply()[0] == 250
    client.quit()
    row = InboundEmail.objects.get()
    assert row.source == "lmtp" and row.envelope["mail_from"] == "janis@example.lv"
    assert row.envelope["rcpt_tos"] == ["majokli@altum.lv", "altum@altum.lv"]
    wait_processed(1)
    assert Case.objects.get().programme == housing  # chosen by the envelope recipient


@pytest.mark.django_db(transaction=True)
def test_smtp_receiver_and_redelivery_creates_nothing_new(receiver):
    port = receiver("smtp")
    raw = build()
    for _ in range(2):  # an MTA retrying after a lost answer
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.sendmail("janis@example.lv", ["altum@altum.lv"], raw)
    wait_processed(1)
    # Both deliveries were answered 250 only after their store committed, so every row there
    # will be is there; wait until none is left waiting for processing.
    deadline = time.monotonic() + 20
    while InboundEmail.objects.filter(state=InboundState.STORED).exists():
        assert time.monotonic() < deadline, "a stored message was not processed in time"
        time.sleep(0.05)
    assert InboundEmail.objects.count() == 1 and Case.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_null_sender_delivery_is_automatic(receiver):
    port = receiver("lmtp")
    with smtplib.LMTP("127.0.0.1", port) as client:
        client.sendmail("<>", ["altum@altum.lv"], build(subject="Notification"))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not InboundEmail.objects.exclude(state="stored").exists():
        time.sleep(0.05)
    row = InboundEmail.objects.get()
    assert row.state == InboundState.QUARANTINED and row.reason == "auto_unthreaded"
    assert "null sender" in row.error
