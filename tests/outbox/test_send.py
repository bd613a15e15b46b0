"""Sending through Django's SMTP backend to a real SMTP server (aiosmtpd): what arrives, retries
with backoff, permanent refusals, lost answers after DATA, the sweep, bounces."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from charterdesk.cases.services import case_reply
from charterdesk.desk.sentences import describe
from charterdesk.outbox.models import OutboxMessage, OutboxState
from charterdesk.outbox.services import (
    ack_send,
    outbox_deliver,
    outbox_mark_bounced,
    outbox_retry,
    outbox_send_pending,
)
from tests.outbox.conftest import open_email_case, receive

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _reply(case, employee, body="Jā, varat pieteikties portālā.") -> OutboxMessage:
    return case_reply(case=case, by=employee, body=body).outbox


def _parts(mail):
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_the_mail_that_arrives(email_case, employee, smtp_sink):
    row = _reply(email_case, employee)
    assert outbox_deliver(outbox_id=row.pk) == "sent"
    [mail] = smtp_sink.wait_for(1)
    received = smtp_sink.received[0]
    assert received.rcpt_tos == (email_case.client.email,)
    assert mail["Message-ID"] == row.message_id
    assert mail["Subject"] == f"Re: Mājokļa garantija [{email_case.reference}]"
    assert mail["In-Reply-To"] == "<client-1@example.lv>"
    assert mail["References"] == "<client-1@example.lv>"
    assert mail["To"] == email_case.client.email
    assert mail["From"] == "Attīstības finanšu institūcija Altum <altum@altum.lv>"
    assert mail["Date"] == row.headers["Date"]
    assert mail["Content-Language"] == "lv"
    assert mail["Auto-Submitted"] is None
    text, html = _parts(mail)
    assert "Jā, varat pieteikties portālā." in text
    # [EMAIL-IDENTITY] in both parts: institution, first name, surname, contacts
    assert row.identity_text in text.replace("\r\n", "\n")
    assert "Tālr. +371 67 774 000" in text
    for part in (
        "Ar cieņu,",
        "Anna Bērziņa",
        "Attīstības finanšu institūcija Altum",
        "Tālr.",
        "+371 67 774 000",
        employee.email,
    ):
        assert part in text
        assert part in html
    assert row.identity_html in html.replace("\r\n", "\n")
    row.refresh_from_db()
    assert row.state == OutboxState.SENT and row.attempts == 1 and row.sent_at is not None


def test_english_ack_on_the_wire(institution, smtp_sink):
    case = open_email_case(language="en", subject="Guarantee")
    inbound = receive(case, message_id="<q1@example.com>")
    with time_machine.travel(T0 - timedelta(hours=2), tick=False):  # before the promised time
        ack = ack_send(message=inbound, expected_answer_by=T0)
    outbox_deliver(outbox_id=ack.outbox.pk)
    [mail] = smtp_sink.wait_for(1)
    assert mail["Auto-Submitted"] == "auto-replied"
    assert mail["X-Auto-Response-Suppress"] == "All"
    assert mail["In-Reply-To"] == "<q1@example.com>"
    # Not verified by the receiving server: the ack's own subject, not the sender's (issue 13).
    assert mail["Subject"] == f"We have received your e-mail [{case.reference}]"
    text, html = _parts(mail)
    assert case.reference in text and "25 November 2026 at 11:00" in text
    assert "Kind regards," in text and "Development Finance Institution Altum" in html


def test_delivering_twice_sends_once(email_case, employee, smtp_sink):
    row = _reply(email_case, employee)
    assert outbox_deliver(outbox_id=row.pk) == "sent"
    assert outbox_deliver(outbox_id=row.pk) == "skipped: already sent"
    assert outbox_send_pending() == {}
    smtp_sink.wait_for(1)
    assert len(smtp_sink.messages) == 1


def test_backoff_while_the_server_is_down_then_sent_when_it_is_back(
    email_case, employee, smtp_sink, settings, django_capture_on_commit_callbacks
):
    settings.CHARTERDESK_OUTBOX_RETRY_BASE = 60
    settings.CHARTERDESK_OUTBOX_RETRY_MAX = 3600
    with time_machine.travel(T0, tick=False):
        row = _reply(email_case, employee)
    smtp_sink.stop()
    schedule = []
    for minutes in (0, 1, 3, 7):  # each attempt at the moment the previous one set
        with (
            time_machine.travel(T0 + timedelta(minutes=minutes), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert outbox_deliver(outbox_id=row.pk) == "retry"
        row.refresh_from_db()
        schedule.append(row.next_attempt_at - T0)
        assert row.state == OutboxState.PENDING
        assert "ConnectionRefusedError" in row.last_error
    # 1, 2, 4, 8 minutes after each failure
    assert schedule == [timedelta(minutes=m) for m in (1, 3, 7, 15)]
    assert row.attempts == 4
    # each retry is also handed to a worker for exactly that moment
    runs = sorted(
        DBTaskResult.objects.filter(task_path="charterdesk.outbox.tasks.outbox_send").values_list(
            "run_after", flat=True
        )
    )
    assert runs[-1] == T0 + timedelta(minutes=15)
    with time_machine.travel(T0 + timedelta(minutes=14), tick=False):
        assert outbox_send_pending() == {}  # not due yet
    smtp_sink.start()
    with time_machine.travel(T0 + timedelta(minutes=15), tick=False):
        assert outbox_send_pending() == {"sent": 1}
    [mail] = smtp_sink.wait_for(1)
    assert mail["Message-ID"] == row.message_id
    row.refresh_from_db()
    assert row.state == OutboxState.SENT and row.attempts == 5 and row.last_error == ""


def test_backoff_is_capped(settings):
    from charterdesk.outbox.services import retry_policy

    settings.CHARTERDESK_OUTBOX_RETRY_BASE = 60
    settings.CHARTERDESK_OUTBOX_RETRY_MAX = 3600
    policy = retry_policy()
    assert [policy.delay(n).total_seconds() for n in range(1, 10)] == [
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
        3600,
    ]


def test_out_of_attempts_is_failed(email_case, employee, smtp_sink, settings):
    settings.CHARTERDESK_OUTBOX_MAX_ATTEMPTS = 2
    row = _reply(email_case, employee)
    smtp_sink.stop()
    assert outbox_deliver(outbox_id=row.pk) == "retry"
    later = datetime.now(UTC) + timedelta(hours=1)
    assert outbox_deliver(outbox_id=row.pk, now=later) == "failed"
    row.refresh_from_db()
    assert row.state == OutboxState.FAILED and row.attempts == 2
    # The case's timeline says so, once, on the message that was not sent (the retry before it
    # did not).
    [failure] = email_case.events.filter(type="message.not_sent")
    assert failure.message_id == row.case_message_id and failure.params["reason"] == row.last_error
    with translation.override("lv"):
        assert describe(failure).startswith("E-pastu klientam nevarēja nosūtīt: ")
    # the administrator's retry gives it one more try
    smtp_sink.start()
    outbox_retry(outbox=row)
    assert outbox_send_pending() == {"sent": 1}
    smtp_sink.wait_for(1)


def test_a_permanent_refusal_fails_at_once(email_case, employee, smtp_sink):
    smtp_sink.refuse_recipients = "550 5.1.1 No such user here"
    row = _reply(email_case, employee)
    assert outbox_deliver(outbox_id=row.pk) == "failed"
    row.refresh_from_db()
    assert row.state == OutboxState.FAILED and row.attempts == 1
    assert "550" in row.last_error and "No such user" in row.last_error
    [failure] = email_case.events.filter(type="message.not_sent")
    assert "No such user" in failure.params["reason"]


def test_a_temporary_refusal_is_retried(email_case, employee, smtp_sink):
    smtp_sink.refuse_next_data("451 4.3.0 Mailbox busy, try later")
    row = _reply(email_case, employee)
    assert outbox_deliver(outbox_id=row.pk) == "retry"
    row.refresh_from_db()
    assert "451" in row.last_error
    assert outbox_send_pending(now=row.next_attempt_at) == {"sent": 1}
    assert len(smtp_sink.wait_for(1)) == 1


def test_answer_lost_after_data_resends_the_same_mail(email_case, employee, smtp_sink, settings):
    """The server has the mail but the connection dies before its "250": we cannot know it
    arrived, so we send again — the same Message-ID, subject and bodies: one mail, twice at worst,
    never two different mails."""
    settings.EMAIL_TIMEOUT = 1
    smtp_sink.stall_next(3)
    row = _reply(email_case, employee)
    assert outbox_deliver(outbox_id=row.pk) == "retry"
    row.refresh_from_db()
    assert "timed out" in row.last_error.lower()
    assert outbox_deliver(outbox_id=row.pk, now=row.next_attempt_at) == "sent"
    first, second = smtp_sink.wait_for(2)
    assert first["Message-ID"] == second["Message-ID"] == row.message_id
    for header in ("Subject", "Date", "From", "To", "In-Reply-To", "References"):
        assert first[header] == second[header]
    assert _parts(first) == _parts(second)


def test_a_mail_whose_identity_block_was_removed_is_not_sent(email_case, employee, smtp_sink):
    row = _reply(email_case, employee)
    OutboxMessage.objects.filter(pk=row.pk).update(body_text="Tikai teksts, bez paraksta")
    assert outbox_deliver(outbox_id=row.pk) == "failed"
    row.refresh_from_db()
    assert row.state == OutboxState.FAILED and "[EMAIL-IDENTITY]" in row.last_error
    assert smtp_sink.messages == []
    assert email_case.events.filter(type="message.not_sent", message=row.case_message).exists()


def test_a_row_stuck_in_sending_is_sent_again_after_the_lease(email_case, employee, smtp_sink):
    row = _reply(email_case, employee)
    now = datetime.now(UTC)
    OutboxMessage.objects.filter(pk=row.pk).update(
        state=OutboxState.SENDING, attempts=1, claimed_at=now - timedelta(minutes=3)
    )
    assert outbox_send_pending(now=now) == {}  # its worker may still be busy
    assert outbox_deliver(outbox_id=row.pk, now=now) == "skipped: another worker is sending it"
    assert outbox_send_pending(now=now + timedelta(minutes=8)) == {"sent": 1}
    [mail] = smtp_sink.wait_for(1)
    assert mail["Message-ID"] == row.message_id
    row.refresh_from_db()
    assert row.attempts == 2


def test_send_pending_command(email_case, employee, smtp_sink):
    from io import StringIO

    _reply(email_case, employee)
    _reply(email_case, employee, body="Papildu informācija")
    out = StringIO()
    call_command("outbox", "send-pending", stdout=out)
    assert out.getvalue().strip() == "sent: 2"
    assert len(smtp_sink.wait_for(2)) == 2
    out = StringIO()
    call_command("outbox", "send-pending", stdout=out)
    assert out.getvalue().strip() == "nothing due"


def test_install_templates_command(db):
    from io import StringIO

    out = StringIO()
    call_command("outbox", "install-templates", stdout=out)
    assert out.getvalue().strip() == "templates written: 6"


def test_reply_attachments_are_sent(email_case, employee, smtp_sink):
    from charterdesk.cases.services import AttachmentData

    message = case_reply(
        case=email_case,
        by=employee,
        body="Pielikumā līguma paraugs.",
        attachments=[AttachmentData("līgums.pdf", "application/pdf", b"%PDF-1.4 paraugs")],
    )
    assert outbox_deliver(outbox_id=message.outbox.pk) == "sent"
    [mail] = smtp_sink.wait_for(1)
    files = [
        (p.get_filename(), p.get_content_type(), p.get_content()) for p in mail.iter_attachments()
    ]
    assert files == [("līgums.pdf", "application/pdf", b"%PDF-1.4 paraugs")]
    text, _html = _parts(mail)
    assert "Pielikumā līguma paraugs." in text


def test_bounce_is_linked_to_the_mail(email_case, employee, smtp_sink):
    row = _reply(email_case, employee)
    outbox_deliver(outbox_id=row.pk)
    bare = row.message_id.strip("<>")
    bounced = outbox_mark_bounced(message_id=bare, reason="550 5.1.1 user unknown")
    assert bounced.pk == row.pk
    row.refresh_from_db()
    assert row.state == OutboxState.BOUNCED and row.bounce_reason == "550 5.1.1 user unknown"
    first_at = row.bounced_at
    outbox_mark_bounced(message_id=row.message_id, reason="again")
    row.refresh_from_db()
    assert row.bounced_at == first_at and row.bounce_reason == "550 5.1.1 user unknown"
    # The case's timeline shows the bounce once, on the message that bounced.
    bounces = list(email_case.events.filter(type="message.bounced"))
    assert len(bounces) == 1
    assert bounces[0].message_id == row.case_message_id
    assert bounces[0].params["reason"] == "550 5.1.1 user unknown"
    with translation.override("en"):
        assert describe(bounces[0]) == (
            "The e-mail to the client came back undelivered: 550 5.1.1 user unknown"
        )
    assert outbox_mark_bounced(message_id="<not-ours@example.lv>", reason="x") is None
    assert outbox_mark_bounced(message_id="", reason="x") is None


@pytest.mark.parametrize(
    "args, message",
    [
        (["--every", "-1"], "--every must be"),
        (["--lease", "-5"], "--lease must be"),
        (["--limit", "0"], "--limit must be"),
    ],
)
def test_send_pending_refuses_bad_options(db, args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("outbox", "send-pending", *args)


def test_send_pending_repeats(email_case, employee, smtp_sink):
    from io import StringIO

    _reply(email_case, employee)
    out = StringIO()
    call_command("outbox", "send-pending", "--every", "1", "--times", "2", stdout=out)
    assert out.getvalue().split("\n")[:2] == ["sent: 1", "nothing due"]
