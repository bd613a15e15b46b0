"""The outbox row is written with the case change, in the same transaction, or not at all."""

from __future__ import annotations

import re

import pytest

from charterdesk.cases.errors import CaseError
from charterdesk.cases.models import CaseEvent, Message
from charterdesk.cases.services import (
    case_add_message,
    case_decline,
    case_open,
    case_promise,
    case_record_mistake,
    case_refer,
    case_reply,
)
from charterdesk.directory.models import Institution
from charterdesk.outbox.errors import IdentityMissing, NoRecipient
from charterdesk.outbox.models import OutboxMessage, OutboxState
from tests.factories import make_client, make_external
from tests.outbox.conftest import open_email_case, receive

pytestmark = pytest.mark.django_db


def test_reply_writes_one_pending_row_with_everything_fixed(email_case, employee):
    reply = case_reply(case=email_case, by=employee, body="Jā, varat pieteikties portālā.")
    row = OutboxMessage.objects.get(case_message=reply)
    assert row.state == OutboxState.PENDING
    assert row.attempts == 0
    assert row.to == email_case.client.email
    assert row.subject == f"Re: Mājokļa garantija [{email_case.reference}]"
    assert re.fullmatch(
        rf"<{email_case.reference}\.m{reply.pk}\.[0-9a-f]{{16}}@altum\.lv>", row.message_id
    )
    assert row.headers["Message-ID"] == row.message_id
    assert row.headers["In-Reply-To"] == "<client-1@example.lv>"
    assert row.headers["References"] == "<client-1@example.lv>"
    assert "Auto-Submitted" not in row.headers
    assert row.body_text.startswith("Jā, varat pieteikties portālā.\n\n")
    assert row.identity_text in row.body_text
    assert "Anna Bērziņa" in row.identity_text
    assert row.identity_html in row.body_html
    assert "<p>Jā, varat pieteikties portālā.</p>" in row.body_html
    assert row.answers.message_id == "<client-1@example.lv>"


def test_threading_follows_the_clients_last_message(email_case, employee):
    receive(
        email_case,
        subject=f"Re: Mājokļa garantija [{email_case.reference}]",
        message_id="<client-2@example.lv>",
        references="<x@altum.lv> <client-1@example.lv>",
    )
    reply = case_reply(case=email_case, by=employee, body="Atbilde")
    row = reply.outbox
    assert row.headers["In-Reply-To"] == "<client-2@example.lv>"
    assert row.headers["References"] == "<x@altum.lv> <client-1@example.lv> <client-2@example.lv>"
    # the reference is not doubled, and no "Re: Re:"
    assert row.subject == f"Re: Mājokļa garantija [{email_case.reference}]"


def test_every_outbound_kind_is_queued(email_case, employee):
    from datetime import UTC, datetime

    due = datetime(2030, 1, 18, 10, 0, tzinfo=UTC)  # a fixed moment, not an offset from now
    case_promise(case=email_case, by=employee, due=due, message="Atbildēsim līdz 18.01.2030.")
    case_record_mistake(
        case=email_case,
        by=employee,
        description="Nepareizs termiņš",
        apology="Atvainojamies par kļūdu.",
    )
    case_reply(case=email_case, by=employee, body="Atbilde")
    other = open_email_case(assignee=employee)
    receive(other)
    case_refer(
        case=other,
        institution=make_external(),
        by=employee,
        message_to_client="Lūdzu, vērsieties VID.",
    )
    third = open_email_case(assignee=employee)
    receive(third)
    case_decline(case=third, by=employee, reasons="Programma neattiecas uz Jūsu nozari.")
    kinds = sorted(OutboxMessage.objects.values_list("kind", flat=True))
    assert kinds == ["apology", "decline", "estimate", "referral", "reply"]


def test_messages_on_other_channels_are_not_mailed(institution, employee):
    client = make_client(phone="+37129123456", email="")
    case = case_open(client=client, channel="phone", subject="Zvans", assignee=employee)
    case_reply(case=case, by=employee, body="Atzvanīsim rīt.")
    assert not OutboxMessage.objects.exists()


def test_inbound_and_notes_are_not_mailed(email_case, employee):
    from charterdesk.cases.services import case_add_note

    case_add_note(case=email_case, by=employee, body="Iekšēja piezīme")
    assert not OutboxMessage.objects.exists()


def _snapshot(case):
    case.refresh_from_db()
    return (
        case.version,
        Message.objects.filter(case=case).count(),
        CaseEvent.objects.filter(case=case).count(),
        OutboxMessage.objects.count(),
    )


def test_reply_without_identity_is_refused_and_the_case_change_rolls_back(email_case, employee):
    before = _snapshot(email_case)
    employee.phone = ""
    employee.email = ""
    employee.save()
    with pytest.raises(IdentityMissing, match=r"\[EMAIL-IDENTITY\].*neither a phone"):
        case_reply(case=email_case, by=employee, body="Atbilde bez kontaktiem")
    assert _snapshot(email_case) == before


def test_no_institution_configured_refuses_every_mail(email_case, employee):
    Institution.objects.all().delete()
    before = _snapshot(email_case)
    with pytest.raises(IdentityMissing, match="No institution is configured"):
        case_reply(case=email_case, by=employee, body="Atbilde")
    assert _snapshot(email_case) == before


def test_an_answer_without_author_is_refused(email_case):
    before = _snapshot(email_case)
    with pytest.raises(IdentityMissing, match="has no author"):
        case_add_message(case=email_case, direction="out", kind="reply", body="Anonīma atbilde")
    assert _snapshot(email_case) == before


def test_client_without_email_gets_a_clear_error(institution, employee):
    client = make_client(phone="+37129123456", email="")
    case = case_open(client=client, channel="email", subject="Jautājums", assignee=employee)
    before = _snapshot(case)
    with pytest.raises(NoRecipient, match=rf"{case.reference}.*has no e-mail address"):
        case_reply(case=case, by=employee, body="Atbilde")
    assert _snapshot(case) == before


def test_refusals_are_case_errors_the_desk_already_shows(email_case, employee):
    employee.first_name = ""
    employee.save()
    with pytest.raises(CaseError):
        case_reply(case=email_case, by=employee, body="Atbilde")


def test_html_written_by_the_employee_is_sanitised(email_case, employee):
    reply = case_reply(
        case=email_case,
        by=employee,
        body="Teksts",
        body_html='<p onclick="x()">Teksts <script>alert(1)</script><b>treknrakstā</b></p>',
    )
    html = reply.outbox.body_html
    assert "<script>" not in html and "onclick" not in html
    assert "<b>treknrakstā</b>" in html


def test_text_is_escaped_into_the_html_part(email_case, employee):
    reply = case_reply(case=email_case, by=employee, body="a < b & <i>c</i>\n\nOtrā rindkopa")
    html = reply.outbox.body_html
    assert "<p>a &lt; b &amp; &lt;i&gt;c&lt;/i&gt;</p>" in html
    assert "<p>Otrā rindkopa</p>" in html


def test_english_case_gets_english_identity(institution, employee):
    case = open_email_case(language="en", assignee=employee, subject="Housing guarantee")
    receive(case, body="Hello")
    reply = case_reply(case=case, by=employee, body="Yes.")
    row = reply.outbox
    assert row.language == "en"
    assert "Kind regards," in row.body_text
    assert "Development Finance Institution Altum" in row.body_text
    assert '<html lang="en">' in row.body_html


def test_first_message_without_a_client_mail_has_no_threading_headers(institution, employee):
    client = make_client()
    case = case_open(
        client=client, channel="email", subject="Par Jūsu pieteikumu", assignee=employee
    )
    reply = case_reply(case=case, by=employee, body="Informējam …")
    row = reply.outbox
    assert "In-Reply-To" not in row.headers and "References" not in row.headers
    assert row.subject == f"Par Jūsu pieteikumu [{case.reference}]"


def test_the_write_is_handed_to_a_task_after_commit(
    email_case, employee, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        reply = case_reply(case=email_case, by=employee, body="Atbilde")
    assert len(callbacks) >= 1
    task = DBTaskResult.objects.get(task_path="charterdesk.outbox.tasks.outbox_send")
    assert task.args_kwargs["args"] == [reply.outbox.pk]


def test_a_message_id_given_by_the_case_service_is_kept(email_case, employee):
    sent = case_add_message(
        case=email_case,
        direction="out",
        kind="reply",
        body="Atbilde",
        author=employee,
        message_id="given.1@altum.lv",
    )
    assert sent.outbox.message_id == "<given.1@altum.lv>"
    assert sent.outbox.headers["Message-ID"] == "<given.1@altum.lv>"


def test_the_case_message_carries_the_mail_headers(email_case, employee):
    """Intake links the client's answer to the case by ``cases.Message.message_id``."""
    from charterdesk.cases import services as case_services

    if not hasattr(case_services, "case_set_mail_headers"):
        pytest.skip("waiting for cases.services.case_set_mail_headers (requested from the lead)")
    email_case.refresh_from_db()
    version = email_case.version
    reply = case_reply(case=email_case, by=employee, body="Atbilde")
    row = reply.outbox
    reply.refresh_from_db()
    assert reply.message_id == row.message_id
    assert reply.recipients == row.to
    # shown decoded on the timeline; the header itself keeps RFC 2047
    assert reply.sender == "Attīstības finanšu institūcija Altum <altum@altum.lv>"
    assert row.from_email.startswith("=?utf-8?q?")
    assert reply.in_reply_to == "<client-1@example.lv>"
    email_case.refresh_from_db()
    assert email_case.version == version + 1  # the reply's own bump only


def test_a_long_or_multiline_subject_keeps_the_reference_on_one_line(email_case, employee):
    receive(
        email_case,
        subject="Ļoti garš temats " * 40 + "\r\n\tBcc: x@evil.example",
        message_id="<client-9@example.lv>\r\n",
    )
    row = case_reply(case=email_case, by=employee, body="Atbilde").outbox
    assert row.subject.startswith("Re: Ļoti garš temats")
    assert row.subject.endswith(f" [{email_case.reference}]")
    assert len(row.subject) <= 400
    assert "\n" not in row.subject and "\r" not in row.subject
    assert row.headers["In-Reply-To"] == "<client-9@example.lv>"
