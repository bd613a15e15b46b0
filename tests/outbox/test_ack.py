"""[EMAIL-ACK] the automatic acknowledgement: reference, expected answer time, the client's
language, Auto-Submitted, never to automatic mail, never twice for one message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction

from charterdesk.assembly.acknowledgement import ack_owed
from charterdesk.cases.models import CaseEvent, Message
from charterdesk.cases.services import case_add_message
from charterdesk.outbox.formatting import format_moment
from charterdesk.outbox.models import OutboxMessage
from charterdesk.outbox.services import ack_send
from charterdesk.sla.checks import sla_sweep
from charterdesk.sla.models import Timer
from tests.outbox.conftest import open_email_case, receive

pytestmark = pytest.mark.django_db

DUE = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # 10:00 in Riga (EET, UTC+2)


@pytest.mark.parametrize(
    "moment, lv, en",
    [
        (DUE, "2026. gada 26. novembrī plkst. 10:00", "26 November 2026 at 10:00"),
        # summer time (EEST, UTC+3), and a date that moves across midnight
        (
            datetime(2026, 7, 1, 21, 30, tzinfo=UTC),
            "2026. gada 2. jūlijā plkst. 00:30",
            "2 July 2026 at 00:30",
        ),
        (
            datetime(2027, 1, 4, 7, 5, tzinfo=UTC),
            "2027. gada 4. janvārī plkst. 09:05",
            "4 January 2027 at 09:05",
        ),
        (
            datetime(2026, 3, 29, 0, 59, tzinfo=UTC),
            "2026. gada 29. martā plkst. 02:59",
            "29 March 2026 at 02:59",
        ),
        (
            datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
            "2026. gada 29. martā plkst. 04:00",
            "29 March 2026 at 04:00",
        ),
    ],
)
def test_expected_answer_time_is_written_in_riga_time(moment, lv, en):
    assert format_moment(moment, "lv") == lv
    assert format_moment(moment, "en") == en


def test_latvian_ack_has_reference_time_and_institution_block(institution, employee):
    case = open_email_case(language="lv", assignee=employee)
    inbound = receive(case)
    with time_machine.travel(DUE - timedelta(days=1), tick=False):  # before the promise
        ack = ack_send(message=inbound, expected_answer_by=DUE)
    assert ack is not None and ack.kind == "ack" and ack.author is None
    assert case.reference in ack.body
    assert "ne vēlāk kā 2026. gada 26. novembrī plkst. 10:00" in ack.body
    # An unverified sender (no Authentication-Results): no name in the greeting (issue 13).
    assert ack.body.startswith("Labdien!\n")
    row = ack.outbox
    assert row.answers == inbound
    assert row.headers["Auto-Submitted"] == "auto-replied"
    assert row.headers["In-Reply-To"] == inbound.message_id
    # The sender was not verified (no Authentication-Results): the subject is not repeated.
    assert row.subject == f"Jūsu e-pasts ir saņemts [{case.reference}]"
    # the system's acknowledgement carries the institution's block, not a person's
    assert row.identity_text == (
        "Ar cieņu,\nAttīstības finanšu institūcija Altum\nTālr. +371 67 774 010 · altum@altum.lv"
    )
    assert row.identity_text in row.body_text
    types = list(CaseEvent.objects.filter(message=ack).values_list("type", flat=True))
    assert types == ["message.sent", "ack.sent"]


def test_a_verified_sender_is_greeted_in_the_vocative_and_the_subject_repeated(
    institution, employee
):
    case = open_email_case(language="lv", assignee=employee)
    inbound = receive(case)
    # The receiving server verified the sender (Authentication-Results, stored by intake).
    inbound.meta = {**(inbound.meta or {}), "auth": {"verdict": "pass"}}
    inbound.save(update_fields=["meta"])
    with time_machine.travel(DUE - timedelta(days=1), tick=False):
        ack = ack_send(message=inbound, expected_answer_by=DUE)
    assert ack.body.startswith("Labdien, Jāni Ozol!\n")  # {{ client_vocative }}
    assert ack.outbox.subject == f"Re: {case.subject} [{case.reference}]"


def test_english_ack(institution):
    case = open_email_case(language="en", subject="Housing guarantee")
    inbound = receive(case, body="Hello")
    with time_machine.travel(DUE - timedelta(days=1), tick=False):  # before the promise
        ack = ack_send(message=inbound, expected_answer_by=DUE)
    assert "registered as " + case.reference in ack.body
    assert "by 26 November 2026 at 10:00 at the latest" in ack.body
    # An unverified sender: no name from their From header in the greeting (issue 13).
    assert ack.body.startswith("Hello,\n")
    assert ack.outbox.identity_text.startswith(
        "Kind regards,\nDevelopment Finance Institution Altum"
    )


def test_the_hand_over_quotes_the_reply_timer(institution):
    """The owed acknowledgement (``assembly.acknowledgement``) names the due moment of the
    message's EMAIL-REPLY-1BD timer: a mail on Wednesday 10:00 Riga is answered by Thursday 10:00."""
    at = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    case = open_email_case(at=at)
    inbound = receive(case, at=at)
    with time_machine.travel(datetime(2026, 11, 25, 14, 0, tzinfo=UTC), tick=False):
        ack_owed(timer_id=0, case_id=case.pk, message_id=inbound.pk)
    [ack] = Message.objects.filter(case=case, kind="ack")
    assert "ne vēlāk kā 2026. gada 26. novembrī plkst. 10:00." in ack.body
    assert ack.meta["expected_answer_by"] == "2026-11-26T08:00:00+00:00"


def test_ack_without_a_known_time_says_so(institution, employee):
    case = open_email_case(assignee=employee)
    inbound = receive(case)
    # as when the policy has no reply deadline for this message: no open timer to quote
    Timer.objects.filter(case=case).update(status="cancelled")
    ack_owed(timer_id=0, case_id=case.pk, message_id=inbound.pk)
    [ack] = Message.objects.filter(case=case, kind="ack")
    assert "Atbildēsim, tiklīdz būsim izskatījuši Jūsu jautājumu." in ack.body


def test_the_sla_engine_hands_the_owed_ack_to_the_outbox(institution):
    """[EMAIL-ACK] end to end in the database: the timer becomes owed at 16:00 Riga (one working
    hour before the end of the day), the sweep hands it to our sender, ack.sent stops the timer,
    and later sweeps send nothing more."""
    at = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    case = open_email_case(at=at)
    inbound = receive(case, at=at)
    with time_machine.travel(datetime(2026, 11, 25, 13, 59, tzinfo=UTC), tick=False):
        sla_sweep()
    assert not Message.objects.filter(case=case, kind="ack").exists()
    with time_machine.travel(datetime(2026, 11, 25, 14, 0, tzinfo=UTC), tick=False):
        sla_sweep()
        sla_sweep()
    [ack] = Message.objects.filter(case=case, kind="ack")
    assert ack.meta["acknowledges"] == inbound.pk
    assert "2026. gada 26. novembrī plkst. 10:00" in ack.body
    assert ack.outbox.headers["Auto-Submitted"] == "auto-replied"
    timer = Timer.objects.get(case=case, commitment_id="EMAIL-ACK")
    assert timer.status == "met" and timer.handed_over_at is not None
    with time_machine.travel(datetime(2026, 11, 26, 9, 0, tzinfo=UTC), tick=False):
        sla_sweep()
    assert Message.objects.filter(case=case, kind="ack").count() == 1


def test_the_hook_skips_an_auto_reply_even_if_called(institution):
    case = open_email_case()
    inbound = receive(case, meta={"auto_submitted": "auto-replied"})
    ack_owed(timer_id=0, case_id=case.pk, message_id=inbound.pk)
    assert not Message.objects.filter(case=case, kind="ack").exists()


def test_never_twice_for_one_message(institution):
    case = open_email_case()
    inbound = receive(case)
    assert ack_send(message=inbound, expected_answer_by=DUE) is not None
    assert ack_send(message=inbound, expected_answer_by=DUE) is None
    assert Message.objects.filter(case=case, kind="ack").count() == 1
    # a second mail from the client before any answer is a follow-up on the same matter:
    # the acknowledgement already sent covers it (see the tests of that rule below)
    second = receive(case, message_id="<client-2@example.lv>")
    assert ack_send(message=second, expected_answer_by=DUE) is None
    assert OutboxMessage.objects.filter(kind="ack").count() == 1


def test_follow_ups_before_the_answer_get_no_second_ack_and_their_clocks_are_kept(institution):
    """One acknowledgement per matter: the client writes, is acknowledged, writes twice more
    while waiting; the sweep sends no second acknowledgement and the follow-ups' EMAIL-ACK
    clocks end as kept (by the acknowledgement that covers them), never as breaches."""
    day = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)  # 09:00 Riga, a Wednesday
    case = open_email_case(at=day)
    receive(case, at=day)
    with time_machine.travel(day.replace(hour=14), tick=False):
        sla_sweep()
    assert Message.objects.filter(case=case, kind="ack").count() == 1
    receive(case, message_id="<client-2@example.lv>", at=day.replace(hour=14, minute=30))
    for minute in (31, 45, 59):  # the sweep runs every minute; a few of its runs
        with time_machine.travel(day.replace(hour=14, minute=minute), tick=False):
            sla_sweep()
    next_day = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    receive(case, message_id="<client-3@example.lv>", at=next_day)
    for moment in (next_day.replace(hour=14), next_day.replace(hour=14, minute=59)):
        with time_machine.travel(moment, tick=False):
            sla_sweep()
    assert Message.objects.filter(case=case, kind="ack").count() == 1
    statuses = list(
        Timer.objects.filter(case=case, commitment_id="EMAIL-ACK")
        .order_by("started_at")
        .values_list("status", flat=True)
    )
    assert statuses == ["met", "met", "met"]


def test_a_question_after_our_answer_or_to_a_reopened_case_is_acknowledged_again(
    institution, employee
):
    from charterdesk.cases.services import case_reopen, case_resolve

    case = open_email_case(assignee=employee)
    first = receive(case, at=datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
    assert ack_send(message=first, expected_answer_by=DUE) is not None
    case_resolve(case=case, by=employee, summary="")
    case_reopen(case=case, by=employee, reason="Klients jautā vēl")
    again = receive(case, message_id="<client-2@example.lv>")
    assert ack_send(message=again, expected_answer_by=DUE) is not None


def test_the_database_refuses_a_second_ack_row_even_past_the_check(institution):
    """Two senders racing both pass the check; the unique constraint keeps it to one."""
    case = open_email_case()
    inbound = receive(case)
    ack_send(message=inbound)
    with pytest.raises(IntegrityError), transaction.atomic():
        # what the loser of the race would do, check skipped
        case_add_message(
            case=case,
            direction="out",
            kind="ack",
            body="Otrs apliecinājums",
            meta={"acknowledges": inbound.pk},
        )
    assert Message.objects.filter(case=case, kind="ack").count() == 1


@pytest.mark.parametrize(
    "meta",
    [
        {"auto_submitted": "auto-replied"},
        {"auto_submitted": "auto-generated"},
        {"auto_submitted": True},
        {"auto_submitted": True, "auto_reason": "Precedence: bulk"},
    ],
)
@pytest.mark.parametrize("language", ["lv", "en"])
def test_never_to_automatic_mail(institution, meta, language):
    case = open_email_case(language=language)
    inbound = receive(case, meta=meta)
    assert ack_send(message=inbound, expected_answer_by=DUE) is None
    assert not Message.objects.filter(case=case, kind="ack").exists()
    assert not OutboxMessage.objects.exists()


def test_auto_submitted_no_is_a_person(institution):
    case = open_email_case()
    inbound = receive(case, meta={"auto_submitted": "no"})
    assert ack_send(message=inbound) is not None


def test_only_the_clients_email_is_acknowledged(institution, employee):
    case = open_email_case(assignee=employee)
    inbound = receive(case)
    note = case_add_message(case=case, direction="internal", kind="note", body="x", author=employee)
    assert ack_send(message=note) is None
    phone = case_add_message(case=case, direction="in", kind="call", body="zvans", channel="phone")
    assert ack_send(message=phone) is None
    assert ack_send(message=inbound) is not None


def test_ack_uses_an_edited_template(institution):
    from charterdesk.outbox.models import MessageTemplate

    MessageTemplate.objects.create(
        name="ack-custom",
        kind="ack",
        language="lv",
        body="Saņemts: {{ case_reference }}, {{ received_at }}.",
    )
    case = open_email_case()
    inbound = receive(case, at=datetime(2026, 11, 25, 14, 5, tzinfo=UTC))
    ack = ack_send(message=inbound, at=datetime(2026, 11, 25, 15, 0, tzinfo=UTC))
    assert ack.body == f"Saņemts: {case.reference}, 2026. gada 25. novembrī plkst. 16:05."
    assert ack.meta["template"] == "ack-custom"


def test_no_ack_once_the_client_has_been_written_to(institution, employee):
    from charterdesk.cases.services import case_decline

    case = open_email_case(assignee=employee)
    inbound = receive(case)
    case_decline(case=case, by=employee, reasons="Programma neattiecas uz Jūsu nozari.")
    assert ack_send(message=inbound) is None
    assert not Message.objects.filter(case=case, kind="ack").exists()


def test_no_ack_on_a_resolved_case(institution, employee):
    from charterdesk.cases.services import case_resolve

    case = open_email_case(assignee=employee)
    inbound = receive(case)
    case_resolve(case=case, by=employee, summary="Atbildēts pa tālruni")
    assert ack_send(message=inbound) is None


def test_no_ack_when_the_client_lost_the_address(institution):
    case = open_email_case()
    inbound = receive(case)
    case.client.email = ""
    case.client.phone = "+37129123456"
    case.client.save()
    assert ack_send(message=inbound) is None


def test_an_earlier_answer_does_not_cover_a_new_message(institution, employee):
    from charterdesk.cases.services import case_reply

    case = open_email_case(assignee=employee)
    receive(case, at=datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
    case_reply(case=case, by=employee, body="Atbilde", at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    second = receive(
        case, message_id="<client-2@example.lv>", at=datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    )
    assert ack_send(message=second, expected_answer_by=DUE) is not None


def test_ack_owed_long_ago_does_not_promise_a_past_moment(institution, employee):
    case = open_email_case(language="lv", assignee=employee)
    inbound = receive(case)
    ack = ack_send(message=inbound, expected_answer_by=DUE, at=DUE + timedelta(hours=1))
    assert ack is not None
    assert "ne vēlāk kā" not in ack.body
    assert "Atbildēsim, tiklīdz būsim izskatījuši Jūsu jautājumu." in ack.body


def test_ack_repeats_the_subject_only_of_a_verified_sender(institution, employee):
    """Issue 13: anybody can write another person's address in From; an acknowledgement that
    echoed the subject would carry the stranger's text to that person."""
    case = open_email_case(language="lv", assignee=employee)
    inbound = receive(case)
    inbound.meta = {
        **inbound.meta,
        "auth": {"by": "mx.altum.lv", "dmarc": "pass", "verdict": "pass"},
    }
    inbound.save(update_fields=["meta"])
    with time_machine.travel(DUE - timedelta(days=1), tick=False):
        ack = ack_send(message=inbound, expected_answer_by=DUE)
    assert ack is not None
    assert ack.outbox.subject == f"Re: {inbound.subject} [{case.reference}]"


def test_english_ack_greets_a_verified_sender_by_name(institution):
    case = open_email_case(language="en", subject="Housing guarantee")
    inbound = receive(case, body="Hello")
    inbound.meta = {
        **inbound.meta,
        "auth": {"by": "mx.altum.lv", "dkim": "pass", "verdict": "pass"},
    }
    inbound.save(update_fields=["meta"])
    with time_machine.travel(DUE - timedelta(days=1), tick=False):
        ack = ack_send(message=inbound, expected_answer_by=DUE)
    assert ack.body.startswith("Hello Jānis Ozols,\n")


@pytest.mark.parametrize(
    "headers",
    [
        {"Precedence": "bulk"},
        {"Precedence": "list"},
        {"List-Id": "<news.example.lv>"},
        {"Auto-Submitted": "auto-replied"},
    ],
)
def test_no_ack_for_bulk_or_list_mail_taken_in_by_intake(institution, headers):
    """The real path: a raw mail with the header, threaded to a case by the reference in its
    subject, through e-mail intake; it opens no acknowledgement clock and no ack is sent, even
    when the hand-over is called."""
    from charterdesk.channels.email.intake.process import process_pending
    from charterdesk.channels.email.intake.store import RawMail, store_raw
    from tests.email.messages import build

    case = open_email_case()
    raw = build(sender=case.client.email, subject=f"Re: [{case.reference}]", headers=headers)
    store_raw([RawMail(raw, "test")])
    process_pending(workers=0)
    [inbound] = Message.objects.filter(case=case, direction="in")
    assert inbound.meta["auto_submitted"] is True
    assert not Timer.objects.filter(case=case).exists()
    ack_owed(timer_id=0, case_id=case.pk, message_id=inbound.pk)
    assert ack_send(message=inbound, expected_answer_by=DUE) is None
    assert not Message.objects.filter(case=case, kind="ack").exists()
    # the same mail without the header is acknowledged: the test can tell the difference
    plain = build(sender=case.client.email, subject=f"Re: [{case.reference}]")
    store_raw([RawMail(plain, "test")])
    process_pending(workers=0)
    second = Message.objects.filter(case=case, direction="in").exclude(pk=inbound.pk).get()
    assert ack_send(message=second, expected_answer_by=DUE) is not None
