"""A working day's desk in Chromium: the notification list (axe-core, Latvian and English), a
draft that comes back after a reload, and Back after a two-word search."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import unquote_plus

import pytest
import time_machine
from playwright.sync_api import expect

from charterdesk.cases.services import case_add_message, case_open
from charterdesk.desk.models import Draft
from charterdesk.notifications.models import Notification
from charterdesk.sla.checks import sla_sweep
from tests.browser.conftest import check_accessibility, sign_in
from tests.factories import make_client

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SEARCH = "Meklēt tēmās, ziņās un klientu vārdos"


def test_notifications_list_count_and_mark_read(page, office):
    with time_machine.travel(datetime.fromisoformat("2030-01-10T12:00+02:00"), tick=False):
        sla_sweep()  # the office's case, never answered: both deadlines missed
    mine = Notification.objects.filter(recipient=office.anna).count()
    assert mine >= 2
    sign_in(page, office.anna.user.username)
    link = page.get_by_role("link", name=re.compile(r"^Paziņojumi"))
    expect(link).to_contain_text(f"{mine} nelasīti")
    link.click()
    expect(page.get_by_role("heading", name="Paziņojumi")).to_be_visible()
    expect(page.locator(".notification.unread")).to_have_count(mine)
    expect(page.locator(".notifications")).to_contain_text("nokavēts termiņš")
    check_accessibility(page, "the notification list")
    page.get_by_role("button", name=f"Atzīmēt kā izlasītu: {office.case.reference}").first.click()
    expect(page.locator(".notification.unread")).to_have_count(mine - 1)
    expect(page.get_by_role("link", name=re.compile(r"^Paziņojumi"))).to_contain_text(
        f"{mine - 1} nelasīt"
    )
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(page.locator(".notifications")).to_contain_text("the deadline was missed")
    check_accessibility(page, "the notification list in English")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator(".notification.unread")).to_have_count(0)
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    check_accessibility(page, "the notification list, all read, in English")


def test_a_draft_comes_back_after_a_reload_and_goes_with_the_reply(page, office):
    sign_in(page, office.anna.user.username)
    page.goto(f"/cases/{office.case.pk}/")
    reply = page.get_by_label("Atbilde", exact=True)
    reply.press_sequentially("Labdien, Ilze! Garantiju var saņemt.", delay=10)
    expect(page.locator("#draft-state")).to_have_text("Melnraksts saglabāts serverī.")
    assert Draft.objects.get(employee=office.anna).body == "Labdien, Ilze! Garantiju var saņemt."
    page.once("dialog", lambda dialog: dialog.accept())  # the leave warning: leave
    page.reload()
    expect(page.get_by_label("Atbilde", exact=True)).to_have_value(
        "Labdien, Ilze! Garantiju var saņemt."
    )
    check_accessibility(page, "the case page with a restored draft")
    page.get_by_role("button", name="Nosūtīt e-pastu").click()
    expect(page.get_by_role("status")).to_contain_text("Nosūtīts klientam pa e-pastu")
    expect(page.get_by_label("Atbilde", exact=True)).to_have_value("")
    assert not Draft.objects.exists()


def test_back_after_a_two_word_search_shows_the_words_and_their_results(page, office):
    other = case_open(
        client=make_client("Pēteris Ozols", email="peteris@example.lv"),
        channel="email",
        subject="Garantija uzņēmuma aizdevumam",
        programme=office.startup,
        assignee=office.anna,
    )
    case_add_message(
        case=other, direction="in", kind="request", sender="peteris@example.lv", body="Labdien!"
    )
    sign_in(page, office.anna.user.username)
    page.goto("/?scope=all")
    box = page.get_by_label(SEARCH)
    box.press_sequentially("garantija", delay=20)
    expect(page).to_have_url(re.compile(r"q=garantija$|q=garantija&"))
    expect(page.locator("#results tbody tr")).to_have_count(2)
    before = page.evaluate("history.length")
    box.press_sequentially(" dzīvokļa", delay=20)
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=garantija(\+|%20)dz"))
    assert unquote_plus(page.url.split("q=")[1].split("&")[0]) == "garantija dzīvokļa"
    assert page.evaluate("history.length") == before  # typing replaced the entry
    page.get_by_role("link", name="Garantija dzīvokļa iegādei").click()
    expect(
        page.get_by_role("heading", name=re.compile("Garantija dzīvokļa iegādei"))
    ).to_be_visible()
    page.go_back()
    expect(page.get_by_label(SEARCH)).to_have_value("garantija dzīvokļa")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("Garantija dzīvokļa iegādei")
    assert "garantija" in unquote_plus(page.url)
    # Enter adds an entry: Back returns to the two words and their result
    box = page.get_by_label(SEARCH)
    box.fill("ozols")
    box.press("Enter")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("Garantija uzņēmuma aizdevumam")
    expect(page).to_have_url(re.compile(r"q=ozols"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"q=garantija(\+|%20)dz"))
    expect(page.get_by_label(SEARCH)).to_have_value("garantija dzīvokļa")
    expect(page.locator("#results")).to_contain_text("Garantija dzīvokļa iegādei")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    check_accessibility(page, "the inbox after Back")
