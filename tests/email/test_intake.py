"""The intake service: raw store first, then cases, threads, clients, programmes, loops, limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from charterdesk.cases.models import Case, Direction, Message
from charterdesk.cases.services import case_close, case_open, case_resolve
from charterdesk.channels.email.intake import process as process_module
from charterdesk.channels.email.intake.details import shown
from charterdesk.channels.email.intake.process import process_pending
from charterdesk.channels.email.intake.quarantine import (
    QuarantineError,
    inbound_delete,
    inbound_release,
)
from charterdesk.channels.email.intake.store import RawMail, store_raw
from charterdesk.channels.email.models import InboundEmail, InboundState, QuarantineReason
from charterdesk.clients.models import Client
from tests.email.messages import build
from tests.factories import make_client, make_employee, make_institution, make_programme

pytestmark = pytest.mark.django_db


def take_in(*raws: bytes, at: datetime | None = None, **envelope: object) -> list[InboundEmail]:
    result = store_raw(
        [RawMail(raw, "test", received_at=at, envelope=dict(envelope)) for raw in raws]
    )
    assert result.new + result.known == len(raws)
    process_pending(workers=0)
    return list(InboundEmail.objects.order_by("id"))


def test_new_message_opens_case_with_client_and_message():
    raw = build(attachments=[("līgums.pdf", "application/pdf", b"%PDF-1.4 test")])
    [row] = take_in(raw)
    assert row.state == InboundState.PROCESSED
    case = row.case
    assert (
        case is not None and case.channel == "email" and case.subject == "Jautājums par aizdevumu"
    )
    assert case.client.email == "janis@example.lv" and case.client.name == "Jānis Ozols"
    message = case.messages.get()
    assert message.direction == Direction.INBOUND and message.kind == "request"
    assert message.body.startswith("Labdien!")
    assert message.message_id == row.message_id and message.meta["inbound_email"] == row.pk
    [attachment] = message.attachments.all()
    assert attachment.filename == "līgums.pdf" and attachment.size == len(b"%PDF-1.4 test")
    assert row.case_message == message and row.sender == "janis@example.lv"
    types = list(case.events.values_list("type", flat=True))
    assert types[:2] == ["case.opened", "message.received"]


def test_same_bytes_twice_create_nothing_new():
    raw = build()
    take_in(raw)
    take_in(raw)
    assert InboundEmail.objects.count() == 1
    assert Case.objects.count() == 1 and Message.objects.count() == 1


def test_same_message_id_with_other_trace_headers_is_a_duplicate():
    raw = build(message_id="<same@example.lv>")
    take_in(raw)
    rows = take_in(b"Received: from mx2 by desk; Tue, 24 Nov 2026 10:00:00 +0000\r\n" + raw)
    assert [r.state for r in rows] == [InboundState.PROCESSED, InboundState.DUPLICATE]
    assert rows[1].case == rows[0].case and Message.objects.count() == 1


def test_stored_but_unprocessed_rows_are_processed_later():
    """A crash between the two steps: the raw row is there, the case is not; the next run
    finishes the work."""
    store_raw([RawMail(build(), "test")])
    assert Case.objects.count() == 0
    assert InboundEmail.objects.get().state == InboundState.STORED
    stats = process_pending(workers=0)
    assert stats.processed == 1 and Case.objects.count() == 1


def test_reply_threads_by_in_reply_to_to_our_outbound_message():
    client = make_client(email="janis@example.lv")
    case = case_open(client=client, channel="email", subject="Aizdevums")
    Message.objects.create(
        case=case,
        channel="email",
        direction="out",
        kind="reply",
        body="Atbilde",
        message_id="<reply-1@altum.lv>",
        created_at=case.created_at,
    )
    [row] = take_in(build(subject="Re: Aizdevums", in_reply_to="<reply-1@altum.lv>"))
    assert row.case == case and row.info["threaded_by"] == "headers"
    assert Case.objects.count() == 1 and case.messages.count() == 2


def test_reply_threads_by_references_when_in_reply_to_is_unknown():
    first = take_in(build(message_id="<first@example.lv>"))[0]
    [_first, second] = take_in(
        build(
            subject="Vēl viens jautājums",
            in_reply_to="<unknown@else>",
            references="<first@example.lv> <unknown@else>",
        )
    )
    assert second.case == first.case


def test_reply_threads_by_reference_in_subject():
    # The case's own client (a stranger's subject does not thread: tests/email/test_hijack.py).
    case = case_open(
        client=make_client(email="janis@example.lv"), channel="email", subject="Garantija"
    )
    [row] = take_in(build(subject=f"Re: Garantija [{case.reference}]"))
    assert row.case == case and row.info["threaded_by"] == "subject"


def test_client_is_found_case_insensitively_and_reused():
    existing = make_client(name="Jānis", email="Janis@Example.lv")
    take_in(build(sender="JANIS <Janis@EXAMPLE.LV>"), build(sender="janis@example.lv", subject="2"))
    assert Client.objects.count() == 1
    assert set(Case.objects.values_list("client", flat=True)) == {existing.pk}


def test_programme_is_picked_from_the_address_it_was_sent_to():
    make_programme(code="other", public_email="other@altum.lv")
    housing = make_programme(code="housing", public_email="majokli@altum.lv")
    [row] = take_in(build(to="Mājokļi <Majokli@altum.lv>"))
    assert row.case.programme == housing


def test_envelope_recipient_wins_over_to_header():
    housing = make_programme(code="housing", public_email="majokli@altum.lv")
    make_programme(code="general", public_email="altum@altum.lv")
    [row] = take_in(build(to="altum@altum.lv"), rcpt_tos=["majokli@altum.lv"])
    assert row.case.programme == housing


def test_unthreaded_auto_reply_goes_to_quarantine_but_threaded_one_is_kept_as_automatic():
    take_in(build(message_id="<q@example.lv>"))
    rows = take_in(
        build(subject="Out of office", headers={"Auto-Submitted": "auto-replied"}),
        build(
            subject="Prombūtnē",
            in_reply_to="<q@example.lv>",
            headers={"Auto-Submitted": "auto-replied"},
            message_id="<ooo@example.lv>",
        ),
    )
    assert rows[1].state == InboundState.QUARANTINED
    assert rows[1].reason == QuarantineReason.AUTO_UNTHREADED
    assert rows[2].state == InboundState.PROCESSED
    automatic = Message.objects.get(message_id="<ooo@example.lv>")
    assert automatic.meta["auto_submitted"] is True and automatic.direction == Direction.INBOUND


@pytest.mark.parametrize(
    "headers", [{"Precedence": "bulk"}, {"Precedence": "list"}, {"List-Id": "<news.example.lv>"}]
)
def test_bulk_and_list_mail_is_automatic(headers):
    [row] = take_in(build(headers=headers))
    assert row.reason == QuarantineReason.AUTO_UNTHREADED


def test_auto_reply_to_a_finished_case_does_not_reopen_it():
    employee = make_employee()
    [first] = take_in(build(message_id="<x1@example.lv>"))
    case = first.case
    case_resolve(case=case, by=employee)
    case_close(case=Case.objects.get(pk=case.pk), by=employee)
    take_in(
        build(
            in_reply_to="<x1@example.lv>",
            headers={"Auto-Submitted": "auto-replied"},
            message_id="<x2@example.lv>",
        )
    )
    case.refresh_from_db()
    assert case.status == "closed"
    note = Message.objects.get(message_id="<x2@example.lv>")
    assert note.direction == Direction.INTERNAL and note.meta["auto_submitted"] is True


def test_bounce_is_linked_to_the_outbound_message_it_is_about():
    make_institution()
    [first] = take_in(build(message_id="<c1@example.lv>"))
    Message.objects.create(
        case=first.case,
        channel="email",
        direction="out",
        kind="reply",
        body="Atbilde",
        message_id="<out-1@altum.lv>",
        created_at=first.case.created_at,
    )
    dsn = _dsn("<out-1@altum.lv>", "janis@example.lv")
    rows = take_in(dsn)
    bounce = rows[-1]
    assert bounce.state == InboundState.PROCESSED and bounce.case == first.case
    assert bounce.info["report"]["original_message_id"] == "<out-1@altum.lv>"
    assert bounce.info["report"]["status"] == "5.1.1"
    note = bounce.case_message
    assert note.direction == Direction.INTERNAL and "janis@example.lv" in note.body
    assert note.attachments.filter(content_type="message/delivery-status").exists()


def test_bounce_for_mail_we_did_not_send_is_quarantined():
    [row] = take_in(_dsn("<foreign@elsewhere>", "x@example.lv"))
    assert row.reason == QuarantineReason.BOUNCE_UNMATCHED


def test_rate_limit_per_sender(settings):
    settings.CHARTERDESK_EMAIL_RATE_LIMIT = (3, 3600)
    base = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    raws = [build(subject=f"Nr. {i}") for i in range(5)]
    for i, raw in enumerate(raws):
        store_raw([RawMail(raw, "test", received_at=base + timedelta(minutes=i))])
    store_raw([RawMail(build(subject="later"), "test", received_at=base + timedelta(hours=2))])
    process_pending(workers=0)
    states = list(InboundEmail.objects.order_by("id").values_list("state", "reason"))
    assert states[:3] == [(InboundState.PROCESSED, "")] * 3
    assert states[3:5] == [(InboundState.QUARANTINED, QuarantineReason.RATE_LIMITED)] * 2
    assert states[5] == (InboundState.PROCESSED, "")  # the window has passed


def test_too_large_message_is_quarantined_and_can_be_released(settings):
    settings.CHARTERDESK_EMAIL_MAX_BYTES = 2000
    [row] = take_in(build(attachments=[("big.bin", "application/octet-stream", b"x" * 5000)]))
    assert row.state == InboundState.QUARANTINED and row.reason == QuarantineReason.TOO_LARGE
    assert "limit is 2000 bytes" in row.error
    with translation.override("lv"):  # [stored in English, shown in the reader's language]
        size = f"{row.size:,}".replace(",", "\xa0")  # Latvian groups digits with a (hard) space
        assert shown(row.error, row.info) == f"{size} baiti; ierobežojums ir 2\xa0000 baiti."
    with translation.override("en"):
        assert shown(row.error, row.info) == f"{row.size:,} bytes; the limit is 2,000 bytes."
    released = inbound_release(inbound=row, by="admin")
    assert released.state == InboundState.PROCESSED and released.case is not None
    assert shown(released.error, released.info) == ""  # the old detail does not follow it
    assert released.case.messages.get().attachments.get().size == 5000
    assert released.info["quarantine_history"][0]["reason"] == QuarantineReason.TOO_LARGE


def test_forbidden_attachment_is_quarantined_then_deleted():
    [row] = take_in(build(attachments=[("rēķins.pdf.exe", "application/octet-stream", b"MZ")]))
    assert row.reason == QuarantineReason.FORBIDDEN_ATTACHMENT and "rēķins.pdf.exe" in row.error
    inbound_delete(inbound=row)
    assert not InboundEmail.objects.exists() and not Case.objects.exists()


def test_processed_message_cannot_be_released_or_deleted():
    [row] = take_in(build())
    with pytest.raises(QuarantineError, match="not in quarantine"):
        inbound_release(inbound=row)
    with pytest.raises(QuarantineError, match="only messages in quarantine"):
        inbound_delete(inbound=row)


def test_refusals_are_latvian_first():
    [row] = take_in(build())
    with translation.override("lv"), pytest.raises(QuarantineError, match="nevis karantīnā"):
        inbound_release(inbound=row)
    with translation.override("lv"):
        assert str(QuarantineReason.RATE_LIMITED.label) == "pārāk daudz e-pastu no šī sūtītāja"


def test_no_sender_is_quarantined_and_released_with_a_given_address():
    [row] = take_in(build(sender=""))
    assert row.reason == QuarantineReason.NO_SENDER
    held = inbound_release(inbound=row)
    assert held.state == InboundState.QUARANTINED and held.reason == QuarantineReason.NO_SENDER
    released = inbound_release(inbound=held, sender="ieva@example.lv")
    assert released.state == InboundState.PROCESSED
    assert released.case.client.email == "ieva@example.lv"


def test_unparseable_message_is_quarantined_and_released_with_the_original_attached():
    [row] = take_in(b"\x00\x01\x02 this is not mail \xff\xfe")
    assert row.reason == QuarantineReason.UNPARSEABLE and "header line" in row.error
    with translation.override("lv"):
        assert shown(row.error, row.info) == (
            "E-pastu nevar nolasīt: e-pasts nesākas ar galvenes rindu (tas nav e-pasta ziņojums)"
        )
    released = inbound_release(inbound=row, sender="ieva@example.lv")
    message = released.case_message
    assert message.attachments.get().filename == "message.eml"


def test_mail_from_our_own_address_is_a_loop():
    make_institution()
    [row] = take_in(build(sender="ALTUM <altum@altum.lv>"))
    assert row.reason == QuarantineReason.OWN_ADDRESS


def test_one_failing_message_does_not_stop_the_others(monkeypatch):
    real = process_module.apply_rules

    def failing(row, parsed, ctx, **kw):
        if parsed.subject == "boom":
            raise RuntimeError("simulated failure in a case service")
        return real(row, parsed, ctx, **kw)

    monkeypatch.setattr(process_module, "apply_rules", failing)
    rows = take_in(build(subject="first"), build(subject="boom"), build(subject="third"))
    assert [r.state for r in rows] == [
        InboundState.PROCESSED,
        InboundState.QUARANTINED,
        InboundState.PROCESSED,
    ]
    assert rows[1].reason == QuarantineReason.PROCESSING_ERROR
    assert "simulated failure" in rows[1].error
    assert Case.objects.count() == 2


def test_a_row_whose_earlier_tries_died_goes_to_quarantine_after_too_many():
    store_raw([RawMail(build(), "test")])
    InboundEmail.objects.update(attempts=process_module.MAX_ATTEMPTS)
    process_pending(workers=0)
    row = InboundEmail.objects.get()
    assert row.state == InboundState.QUARANTINED and row.reason == QuarantineReason.PROCESSING_ERROR


def test_imported_message_keeps_its_arrival_time():
    raw = b"Received: from mx by desk; Mon, 2 Nov 2026 08:15:00 +0200\r\n" + build()
    from charterdesk.channels.email.intake.store import arrival_time

    at = arrival_time(raw)
    assert at == datetime(2026, 11, 2, 6, 15, tzinfo=UTC)
    [row] = take_in(raw, at=at)
    assert row.case.created_at == at and row.case_message.created_at == at


def test_batches_and_parser_pool_give_the_same_result():
    raws = [build(subject=f"Nr. {i}", sender=f"c{i % 7}@example.lv") for i in range(45)]
    store_raw([RawMail(raw, "test") for raw in raws])
    stats = process_pending(workers=2, batch_size=10)
    assert stats.processed == 45 and Case.objects.count() == 45
    assert Client.objects.count() == 7


def _dsn(original_id: str, recipient: str) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.altum.lv>\r\n"
        "To: altum@altum.lv\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "Message-ID: <dsn-" + original_id.strip("<>") + ">\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.altum.lv\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: altum@altum.lv\r\nTo: {recipient}\r\nMessage-ID: {original_id}\r\n"
        "Subject: Re: Aizdevums\r\n"
        "--B--\r\n"
    ).encode()
