"""Honest about the channel, in Chromium: a phone case's composer says nothing is sent and records
the answer as told by phone; a letter is registered on its page and answered by letter; axe-core
on each page, in Latvian and English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from charterdesk.cases.models import Case
from charterdesk.cases.services import case_add_message, case_open
from charterdesk.channels.post.models import SentLetter
from charterdesk.outbox.models import OutboxMessage
from tests.browser.conftest import check_accessibility, sign_in
from tests.factories import make_client

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _phone_case(office) -> Case:
    client = make_client(
        "Pēteris Liepa", email="", phone="+37129000111", postal_address="Brīvības iela 1, Rīga"
    )
    case = case_open(
        client=client, channel="phone", subject="Zvans par garantiju", assignee=office.anna
    )
    case_add_message(case=case, direction="in", kind="call", body="Jautā par garantiju")
    return case


def test_a_phone_case_answer_is_recorded_as_told_and_a_letter_can_be_chosen(page, office):
    case = _phone_case(office)
    page.goto("/login/")
    sign_in(page, office.anna.user.username)
    page.goto(f"/cases/{case.pk}/")
    composer = page.locator("#composer")
    expect(composer).to_contain_text("Nekas netiek nosūtīts")
    expect(composer).not_to_contain_text("[EMAIL-IDENTITY]")
    check_accessibility(page, "a phone case's composer")
    # choosing a letter brings the identity block and the letter buttons (htmx re-render)
    composer.get_by_label("vēstulē (pa pastu)").check()
    expect(page.get_by_role("button", name="Reģistrēt vēstuli kā šodien nosūtītu")).to_be_visible()
    expect(page.locator("#composer")).to_contain_text("Pievienots katrai vēstulei")
    check_accessibility(page, "the letter composer")
    page.locator("#composer").get_by_label("pateikts pa tālruni").check()
    expect(page.get_by_role("button", name="Ierakstīt: pateikts pa tālruni")).to_be_visible()
    page.get_by_label("Atbilde", exact=True).fill("Pateicu, ka garantiju var saņemt.")
    page.get_by_role("button", name="Ierakstīt: pateikts pa tālruni").click()
    expect(page.get_by_role("status")).to_contain_text("pateikts klientam pa tālruni")
    expect(page.locator(".timeline")).to_contain_text("pateikts pa tālruni")
    assert not OutboxMessage.objects.exists()


def test_register_a_letter_and_answer_it_by_letter(page, office):
    page.goto("/login/")
    sign_in(page, office.anna.user.username)
    page.get_by_role("link", name="Reģistrēt vēstuli").click()
    expect(page.get_by_role("heading", name="Reģistrēt saņemtu vēstuli")).to_be_visible()
    check_accessibility(page, "the letter register page")
    page.get_by_role("button", name="Reģistrēt vēstuli").click()  # empty: errors beside fields
    expect(page.locator(".field-error").first).to_be_visible()
    check_accessibility(page, "the letter register page with errors")
    page.get_by_label("Reģistrācijas numurs").fill("IN-2026/5")
    page.get_by_label("Sūtītājs").fill("Marta Kalna")
    page.get_by_label("Sūtītāja adrese").fill("Lāčplēša iela 5, Rīga, LV-1010")
    page.get_by_label("Klienta e-pasts vai tālrunis (jaunai lietai)").fill("+371 29 000 333")
    page.get_by_label("Temats").fill("Iesniegums par garantiju")
    page.get_by_label("Vēstules kopsavilkums vai teksts").fill("Lūdz izskatīt iesniegumu.")
    page.get_by_role("button", name="Reģistrēt vēstuli").click()
    expect(page.get_by_role("status")).to_contain_text("Vēstule IN-2026/5 reģistrēta")
    expect(page.locator(".timeline")).to_contain_text("reģ. nr. IN-2026/5")
    page.get_by_label("Atbilde", exact=True).fill("Labdien!\n\nAtbildam vēstulē.")
    page.get_by_role("button", name="Reģistrēt vēstuli kā šodien nosūtītu").click()
    expect(page.get_by_role("status")).to_contain_text("Reģistrēta kā vēstule, nosūtīta")
    letter = SentLetter.objects.get()
    link = page.get_by_role("link", name="Vēstule (PDF drukāšanai)")
    assert link.get_attribute("href") == f"/post/letters/{letter.message_id}.pdf"
    check_accessibility(page, "the case with a letter")
    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/cases/"))
    expect(page.locator(".timeline")).to_contain_text("by letter (post)")
    check_accessibility(page, "the case with a letter, in English")
    page.goto("/en/post/letters/new/")
    expect(page.get_by_role("heading", name="Register a received letter")).to_be_visible()
    check_accessibility(page, "the letter register page in English")


def test_at_390_px_the_inbox_is_a_list_of_cards_and_nothing_scrolls_sideways(page, office):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, office.anna.user.username)
    page.goto("/?scope=all")
    row = page.locator("table.inbox tbody tr").first
    expect(row).to_be_visible()
    assert row.evaluate("r => getComputedStyle(r).display") == "block"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide"
    check_accessibility(page, "the inbox at 390 px")
    page.get_by_role("link", name="Garantija dzīvokļa iegādei").click()
    email = page.locator("a.email-address")
    box = email.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    check_accessibility(page, "the case page at 390 px")


def test_ctrl_enter_sends_and_question_mark_shows_the_shortcuts(page, office, smtp_sink):
    sign_in(page, office.anna.user.username)
    page.goto(f"/cases/{office.case.pk}/")
    page.locator("body").press("?")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Ctrl")
    check_accessibility(page, "the shortcuts list")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    area = page.get_by_label("Atbilde", exact=True)
    area.fill("Labdien! Atbilde ar Ctrl+Enter.")
    area.press("Control+Enter")
    expect(page.get_by_role("status")).to_contain_text("Nosūtīts klientam pa e-pastu")
