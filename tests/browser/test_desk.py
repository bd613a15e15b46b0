"""The desk as an employee uses it, in a real Chromium: sign in, find, reply, transfer, refer,
decline, switch language; axe-core checks every page on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from charterdesk.cases.models import Case, Message
from charterdesk.cases.services import case_add_message, case_open
from charterdesk.outbox.services.delivery import outbox_send_pending
from tests.browser.conftest import check_accessibility, sign_in
from tests.factories import make_client

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_sign_in_find_by_search_and_reply_with_identity_block(page, office, smtp_sink):
    page.goto("/login/")
    check_accessibility(page, "the sign-in page")
    sign_in(page, office.anna.user.username)
    expect(page.get_by_role("heading", name="Iesūtne")).to_be_visible()
    check_accessibility(page, "the inbox")

    page.get_by_label("Meklēt tēmās, ziņās un klientu vārdos").fill("berzina")
    page.get_by_label("Statuss").select_option("active")
    expect(page).to_have_url(re.compile(r"q=berzina"))
    # All cases, then search among them. The link is followed as a full page load: a boosted
    # click can race the search field's delayed request and the re-binding of the new field.
    page.goto(page.get_by_role("link", name="Visas").get_attribute("href") or "")
    expect(page).to_have_url(re.compile(r"scope=all"))
    page.get_by_label("Meklēt tēmās, ziņās un klientu vārdos").fill("berzina")
    expect(page).to_have_url(re.compile(r"q=berzina"))  # htmx updates as one types
    expect(page.locator("#results tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Garantija dzīvokļa iegādei").click()
    expect(
        page.get_by_role("heading", name=re.compile("Garantija dzīvokļa iegādei"))
    ).to_be_visible()
    check_accessibility(page, "the case page")

    page.get_by_label("Atbilde", exact=True).fill("Labdien! Jā, garantiju var saņemt.")
    page.get_by_role("button", name="Priekšskatīt").click()
    preview = page.locator(".preview")
    expect(preview).to_contain_text("Labdien! Jā, garantiju var saņemt.")
    expect(preview).to_contain_text("Anna Bērziņa")
    expect(preview).to_contain_text("Attīstības finanšu institūcija Altum")
    page.get_by_role("button", name="Nosūtīt e-pastu").click()
    expect(page.get_by_role("status")).to_contain_text("Nosūtīts klientam pa e-pastu")
    expect(page.locator(".timeline")).to_contain_text("Labdien! Jā, garantiju var saņemt.")

    outbox_send_pending()  # the outbox's sweep (the worker's task does the same)
    [mail] = smtp_sink.wait_for(1)
    assert "ilze@example.lv" in mail["To"]
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Labdien! Jā, garantiju var saņemt." in text
    for part in ("Anna Bērziņa", "Attīstības finanšu institūcija Altum", "+371 67 774 000"):
        assert part in text, part  # the identity block [EMAIL-IDENTITY]


def test_transfer_refer_and_decline_with_and_without_reasons(page, office):
    client = make_client("Māris Strautiņš", email="maris@example.lv")
    refer_case = case_open(
        client=client, channel="email", subject="Nodokļu atvieglojumi", assignee=office.anna
    )
    case_add_message(
        case=refer_case, direction="in", kind="request", body="Kā piemērot UIN atlaidi?"
    )
    decline_case = case_open(
        client=client, channel="email", subject="Aizdevums jahtai", assignee=office.anna
    )
    sign_in(page, office.anna.user.username)

    # Transfer: competent colleagues first.
    page.goto(f"/cases/{office.case.pk}/")
    page.get_by_text("Nodot kolēģim").click()
    options = page.locator("#id_transfer-to optgroup").first
    expect(options).to_have_attribute("label", re.compile("Kompetenti"))
    page.locator("#id_transfer-to").select_option(str(office.laura.pk))
    page.get_by_role("button", name="Nodot", exact=True).click()
    expect(page.locator("#action-transfer .field-error")).to_contain_text("Uzrakstiet piezīmi")
    check_accessibility(page, "the case page with a form error")
    page.get_by_label("Piezīme kolēģim").fill("Lūdzu, pārņem — klients jautā par garantiju.")
    page.get_by_role("button", name="Nodot", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Nodota kolēģim: Laura Zariņa")
    office.case.refresh_from_db()
    assert office.case.assignee_id == office.laura.pk

    # Refer: choosing the institution fills the message with its contacts (htmx).
    page.goto(f"/cases/{refer_case.pk}/")
    page.get_by_text("Novirzīt uz kompetento institūciju").click()
    page.get_by_label("Kompetentā institūcija").select_option(str(office.vid.pk))
    message = page.locator("#id_refer-message_to_client")
    expect(message).to_have_value(re.compile("vid@vid.gov.lv"))
    page.get_by_role("button", name="Novirzīt", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Novirzīta uz Valsts ieņēmumu dienestu")
    refer_case.refresh_from_db()
    assert refer_case.status == "referred"
    assert "+371 67 120 000" in Message.objects.get(case=refer_case, kind="referral").body

    # Decline: without reasons refused, with reasons accepted.
    page.goto(f"/cases/{decline_case.pk}/")
    page.get_by_text("Atteikt, norādot iemeslus").click()
    page.get_by_role("button", name="Atteikt ar šiem iemesliem").click()
    expect(page.locator("#action-decline .field-error")).to_contain_text(
        "jānorāda pamatoti iemesli"
    )
    decline_case.refresh_from_db()
    assert decline_case.status == "open"
    page.get_by_label("Pamatoti iemesli klientam").fill(
        "ALTUM programmas neatbalsta atpūtas transportlīdzekļu iegādi."
    )
    page.get_by_role("button", name="Atteikt ar šiem iemesliem").click()
    expect(page.get_by_role("status")).to_contain_text("Atteikta, norādot iemeslus")
    assert Case.objects.get(pk=decline_case.pk).status == "declined"


def test_switch_language_and_pages_in_english(page, office):
    sign_in(page, office.anna.user.username)
    page.goto(f"/cases/{office.case.pk}/")
    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(re.compile(rf"/en/cases/{office.case.pk}/$"))
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    check_accessibility(page, "the case page in English")
    page.get_by_role("link", name="Inbox").first.click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    check_accessibility(page, "the inbox in English")
    page.get_by_role("button", name="Latviski").click()
    expect(page.get_by_role("heading", name="Iesūtne")).to_be_visible()
    expect(page).not_to_have_url(re.compile("/en/"))


def test_account_without_employee_profile_gets_an_accessible_explanation(page, office):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user(username="guest", password="pw-test-123456")
    page.goto("/login/")
    page.get_by_label("Lietotājvārds").fill("guest")
    page.get_by_label("Parole").fill("pw-test-123456")
    page.get_by_role("button", name="Pieteikties").click()
    expect(
        page.get_by_role("heading", name="Jūsu konts nav piesaistīts darbiniekam")
    ).to_be_visible()
    check_accessibility(page, "the page for an account without an employee profile")


def test_changed_meanwhile_is_shown_and_the_text_kept(page, office):
    from charterdesk.cases.services import case_transfer

    sign_in(page, office.anna.user.username)
    page.goto(f"/cases/{office.case.pk}/")
    page.get_by_text("Atteikt, norādot iemeslus").click()
    reasons = "Programma ir slēgta jauniem pieteikumiem kopš 1. novembra."
    page.get_by_label("Pamatoti iemesli klientam").fill(reasons)
    case_transfer(case=office.case, to=office.laura, by=office.laura, note="Pārņemu.")  # meanwhile
    page.get_by_role("button", name="Atteikt ar šiem iemesliem").click()
    expect(page.get_by_role("heading", name="Pa to laiku mainīts")).to_be_visible()
    expect(page.locator(".changed")).to_contain_text("Nodota kolēģim: Laura Zariņa")
    expect(page.get_by_label("Pamatoti iemesli klientam")).to_have_value(reasons)
    assert Case.objects.get(pk=office.case.pk).status == "open"
    check_accessibility(page, "the case page after a concurrent change")
    page.get_by_role("button", name="Atteikt ar šiem iemesliem").click()  # the deliberate retry
    expect(page.get_by_role("status")).to_contain_text("Atteikta")
    assert Case.objects.get(pk=office.case.pk).status == "declined"


def test_a_mail_that_came_back_is_seen_in_the_inbox_and_on_the_case(page, office, smtp_sink):
    """The bounce of the employee's reply: a tag in the inbox row, a sentence with the server's
    reason on the case timeline; both pages pass axe."""
    from charterdesk.cases.services import case_record_bounce, case_reply

    reply = case_reply(case=office.case, by=office.anna, body="Lūdzu, atsūtiet izziņu.")
    case_record_bounce(message=reply, reason="550 5.1.1 user unknown")
    sign_in(page, office.anna.user.username)
    row = page.locator("#results tbody tr", has_text="Garantija dzīvokļa iegādei")
    expect(row).to_contain_text("e-pasts nav piegādāts")
    check_accessibility(page, "the inbox with an undelivered mail")
    row.get_by_role("link", name="Garantija dzīvokļa iegādei").click()
    expect(page.locator(".timeline")).to_contain_text(
        "E-pasts klientam atgriezās nepiegādāts: 550 5.1.1 user unknown"
    )
    check_accessibility(page, "the case page with a bounce")
