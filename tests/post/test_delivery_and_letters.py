"""How an answer reaches the client (cases.delivery), and the post channel: a received letter
registered as a case message with its deadlines from the moment it came, a letter sent as PDF."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from charterdesk.cases.errors import CaseError
from charterdesk.cases.models import Case, CaseEvent, Message
from charterdesk.cases.services import (
    case_add_message,
    case_decline,
    case_open,
    case_refer,
    case_reply,
)
from charterdesk.channels.post.models import ReceivedLetter, SentLetter
from charterdesk.channels.post.services import letter_register
from charterdesk.desk.forms import referral_message
from charterdesk.outbox.models import OutboxMessage
from charterdesk.sla.models import Timer
from tests.desk.conftest import signed_in
from tests.factories import make_client

pytestmark = pytest.mark.django_db


def phone_case(office, **client_fields) -> Case:
    client_fields.setdefault("email", "")
    client = make_client("Pēteris Liepa", phone="+37129000111", **client_fields)
    case = case_open(
        client=client, channel="phone", subject="Zvans par garantiju", assignee=office.anna
    )
    case_add_message(
        case=case, direction="in", kind="call", body="Jautā par garantiju", sender=client.phone
    )
    case.refresh_from_db()
    return case


def post(client, case: Case, action: str, **fields):
    case.refresh_from_db()
    data = {f"{action}-version": case.version, f"{action}-seen_event": 0}
    data.update({f"{action}-{k}" if k != "step" else k: v for k, v in fields.items()})
    return client.post(f"/cases/{case.pk}/{action}/", data, follow=True)


# --- the rule in the service ------------------------------------------------------------------


def test_a_reply_on_a_phone_case_is_recorded_as_told_by_phone_and_nothing_is_sent(office):
    case = phone_case(office, email="peteris@example.lv")
    reply = case_reply(case=case, by=office.anna, body="Pateicu, ka var pieteikties.")
    assert reply.meta["delivery"] == "phone" and reply.channel == "phone"
    assert not OutboxMessage.objects.exists()
    sent = CaseEvent.objects.get(case=case, type="message.sent")
    assert sent.params["delivery"] == "phone"


def test_the_employee_may_answer_a_phone_case_by_e_mail_and_then_it_is_sent(office):
    case = phone_case(office, email="peteris@example.lv")
    reply = case_reply(case=case, by=office.anna, body="Rakstiski: jā.", delivery="email")
    assert reply.channel == "email"
    row = OutboxMessage.objects.get(case_message=reply)
    assert row.to == "peteris@example.lv"


def test_a_way_the_clients_details_do_not_allow_is_refused_with_what_is_missing(office):
    case = phone_case(office)
    with pytest.raises(CaseError, match=r"nav e-pasta adreses|no e-mail address"):
        case_reply(case=case, by=office.anna, body="x", delivery="email")
    with pytest.raises(CaseError, match=r"pasta adreses|postal address"):
        case_decline(case=case, by=office.anna, reasons="Nav mūsu kompetence.", delivery="letter")
    assert not Message.objects.filter(case=case, direction="out").exists()


def test_referral_and_decline_carry_the_way_too(office):
    case = phone_case(office)
    sent = case_refer(
        case=case,
        institution=office.vid,
        by=office.anna,
        message_to_client="Vērsieties VID: 67120000",
        delivery="in_person",
    )
    assert sent.meta["delivery"] == "in_person" and sent.channel == "in_person"
    assert not OutboxMessage.objects.exists()


# --- the desk says what happened ----------------------------------------------------------------


def test_the_desk_says_told_by_phone_not_sent_and_shows_no_e_mail_preview(office):
    case = phone_case(office)
    browser = signed_in(office.anna)
    page = browser.get(f"/cases/{case.pk}/").content.decode()
    assert "Nosūtīt e-pastu" not in page and "Nekas netiek nosūtīts" in page
    assert "[EMAIL-IDENTITY]" not in page  # no e-mail identity block for a phone answer
    response = post(browser, case, "reply", body="Pateicu par nosacījumiem.", delivery="phone")
    html = response.content.decode()
    assert "pateikts klientam pa tālruni; nekas netika nosūtīts" in html
    assert "nosūtīta klientam" not in html
    assert not OutboxMessage.objects.exists()


def test_the_desk_says_sent_by_e_mail_only_when_the_outbox_holds_the_mail(office):
    browser = signed_in(office.anna)
    response = post(browser, office.case, "reply", body="Labdien! Jā.", delivery="email")
    html = response.content.decode()
    row = OutboxMessage.objects.get()
    assert f"Nosūtīts klientam pa e-pastu uz {row.to}" in html


def test_the_e_mail_preview_shows_the_subject_that_will_be_sent(office):
    browser = signed_in(office.anna)
    office.case.refresh_from_db()
    response = browser.post(
        f"/cases/{office.case.pk}/reply/",
        {
            "reply-version": office.case.version,
            "reply-body": "Labdien!",
            "reply-delivery": "email",
            "step": "preview",
        },
    )
    html = response.content.decode()
    assert f"Re: {office.case.subject} [{office.case.reference}]" in html


# --- letters out --------------------------------------------------------------------------------


def test_a_letter_is_fixed_with_identity_block_and_printable_as_pdf(office):
    case = phone_case(office, postal_address="Brīvības iela 1, Rīga, LV-1010")
    browser = signed_in(office.anna)
    response = post(browser, case, "reply", body="Labdien!\n\nAtbilde vēstulē.", delivery="letter")
    assert "Reģistrēta kā vēstule, nosūtīta" in response.content.decode()
    letter = SentLetter.objects.get()
    assert letter.recipient_address == "Brīvības iela 1, Rīga, LV-1010"
    assert "Anna Bērziņa" in letter.identity_text
    assert letter.sent_on == timezone.localdate()
    assert letter.registration_number.startswith(case.reference)
    assert not OutboxMessage.objects.exists()
    pdf = browser.get(f"/post/letters/{letter.message_id}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_the_letter_preview_is_a_pdf_and_records_nothing(office):
    case = phone_case(office, postal_address="Brīvības iela 1, Rīga")
    browser = signed_in(office.anna)
    case.refresh_from_db()
    response = browser.post(
        f"/cases/{case.pk}/reply/",
        {
            "reply-version": case.version,
            "reply-body": "Teksts",
            "reply-delivery": "letter",
            "step": "letter",
        },
    )
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert not Message.objects.filter(case=case, direction="out").exists()


# --- letters in ---------------------------------------------------------------------------------


def test_a_registered_letter_opens_a_case_with_deadlines_from_the_moment_it_was_received(office):
    client = make_client("Marta Kalna", phone="+37129000222", postal_address="Rīga")
    received = timezone.now() - timedelta(hours=3)
    message = letter_register(
        by=office.anna,
        registration_number="IN-2026/17",
        sender_name="Marta Kalna",
        received_at=received,
        letter_date=timezone.localdate(received) - timedelta(days=2),
        subject="Iesniegums par garantiju",
        text="Lūdzu izskatīt.",
        programme=office.housing,
        client=client,
    )
    assert message.channel == "post" and message.kind == "letter"
    assert message.created_at == received and message.case.created_at == received
    assert ReceivedLetter.objects.get().message == message
    timer = Timer.objects.get(case=message.case, commitment_id="EMAIL-REPLY-1BD")
    assert timer.started_at == received
    # the answer by letter stops it, like an e-mail answer
    Case.objects.filter(pk=message.case_id).update(assignee=office.anna)
    case_reply(case=message.case, by=office.anna, body="Atbilde", delivery="letter")
    timer.refresh_from_db()
    assert timer.met_at is not None


def test_registration_refuses_the_future_a_reused_number_and_a_letter_dated_after_it_came(office):
    client = make_client("Marta Kalna", phone="+37129000222")
    base = {
        "by": office.anna,
        "sender_name": "Marta",
        "subject": "x",
        "client": client,
    }
    with pytest.raises(CaseError, match=r"nākotnē|future"):
        letter_register(
            registration_number="A1", received_at=timezone.now() + timedelta(hours=1), **base
        )
    letter_register(registration_number="A1", received_at=timezone.now(), **base)
    with pytest.raises(CaseError, match="A1"):
        letter_register(registration_number="A1", received_at=timezone.now(), **base)
    with pytest.raises(CaseError, match=r"pēc|after"):
        letter_register(
            registration_number="A2",
            received_at=timezone.now(),
            letter_date=timezone.localdate() + timedelta(days=1),
            **base,
        )


def test_the_register_page_adds_a_letter_with_its_scan_to_an_existing_case(office):
    browser = signed_in(office.anna)
    assert browser.get("/post/letters/new/").status_code == 200
    response = browser.post(
        "/post/letters/new/",
        {
            "registration_number": "IN-9",
            "sender_name": "Ilze Bērziņa",
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "case_reference": office.case.reference,
            "subject": "Papildu dokumenti",
            "scan": SimpleUploadedFile("skenets.pdf", b"%PDF-1.4 scan", "application/pdf"),
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Vēstule IN-9 reģistrēta" in html, html[html.find('role="alert"') - 200 :][:800]
    message = Message.objects.get(case=office.case, kind="letter")
    assert message.attachments.get().filename == "skenets.pdf"


def test_the_register_page_without_case_or_client_says_what_to_give(office):
    browser = signed_in(office.anna)
    response = browser.post(
        "/post/letters/new/",
        {
            "registration_number": "IN-10",
            "sender_name": "Kāds",
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "subject": "x",
        },
    )
    assert response.status_code == 400
    assert "e-pastu vai tālruni" in response.content.decode()
    assert not ReceivedLetter.objects.exists()


# --- Latvian after prepositions, time left as people read it -------------------------------------


@pytest.mark.parametrize(
    "nominative, accusative",
    [
        ("Valsts ieņēmumu dienests", "Valsts ieņēmumu dienestu"),
        ("Uzņēmumu reģistrs", "Uzņēmumu reģistru"),
        (
            "Latvijas Investīciju un attīstības aģentūra",
            "Latvijas Investīciju un attīstības aģentūru",
        ),
        ("Patērētāju tiesību aizsardzības centrs", "Patērētāju tiesību aizsardzības centru"),
        ("Konkurences padome", "Konkurences padomi"),
    ],
)
def test_institution_names_are_declined_after_uz(nominative, accusative):
    from charterdesk.directory.models import accusative_lv

    assert accusative_lv(nominative) == accusative


def test_referral_reads_novirzita_uz_with_the_accusative_on_the_page_and_timeline(office):
    browser = signed_in(office.anna)
    response = post(
        browser,
        office.case,
        "refer",
        institution=office.vid.pk,
        message_to_client=referral_message(office.case, office.vid),
    )
    html = response.content.decode()
    assert "Novirzīta uz Valsts ieņēmumu dienestu." in html
    assert "Novirzīta uz Valsts ieņēmumu dienestu; klientam paziņota" in html
    assert "dienests;" not in html


def test_a_stored_accusative_wins_over_the_computed_one(office):
    from charterdesk.directory.models import ExternalInstitution

    cfla = ExternalInstitution.objects.create(
        name_lv="Centrālā finanšu un līgumu aģentūra",
        name_en="CFLA",
        name_lv_accusative="Centrālo finanšu un līgumu aģentūru",
    )
    assert cfla.accusative_lv() == "Centrālo finanšu un līgumu aģentūru"


def test_time_left_reads_tomorrow_0830_not_zero_minutes_in_the_evening(office):
    import time_machine

    from charterdesk.desk.templatetags.desk import timeleft
    from charterdesk.desk.timers import TimeLeft

    evening = timezone.make_aware(timezone.datetime(2026, 11, 25, 19, 0))  # Wednesday, Riga
    due = evening.replace(day=26, hour=8, minute=30)
    friday = evening.replace(day=27, hour=10, minute=0)
    later = evening.replace(month=12, day=7)
    with time_machine.travel(evening, tick=False):
        info = TimeLeft(due_at=due, seconds=0, breached=False, close=False, working=True)
        assert timeleft(info) == "rīt 08:30"
        assert timeleft(info.__class__(friday, 3600, False, False, True)) == "piektdien 10:00"
        assert timeleft(info.__class__(later, 3600, False, False, True)) == "07.12. 19:00"
        today = evening.replace(hour=20)
        assert timeleft(info.__class__(today, 1800, False, True, True)) == "30 min"


def test_the_commitment_shows_its_name_with_the_id_as_a_hint(office):
    html = signed_in(office.anna).get(f"/cases/{office.case.pk}/").content.decode()
    assert "[EMAIL-REPLY-1BD]" in html or "[EMAIL-ACK]" in html
    assert "E-pasta" in html or "e-pasta" in html
