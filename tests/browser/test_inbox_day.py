"""The inbox for a day's work in a real Chromium: the markers, a sorted column, a saved view, a
bulk assignment with its one confirmation, and a new case appearing without reload (polling);
axe-core checks each state, in Latvian and in English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from charterdesk.cases.models import Case
from charterdesk.cases.services import case_add_message, case_open, case_reply
from tests.browser.conftest import check_accessibility, sign_in
from tests.factories import make_client

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _wrote_again(case: Case, by) -> None:
    case.refresh_from_db()
    case_reply(case=case, by=by, body="Labdien! Atbildam.")
    case.refresh_from_db()
    case_add_message(case=case, direction="in", kind="request", body="Paldies, vēl jautājums.")


def test_inbox_markers_sort_and_saved_view(page, office):
    _wrote_again(office.case, office.laura)
    sign_in(page, office.anna.user.username)
    row = page.locator("#results tbody tr", has_text="Garantija dzīvokļa iegādei")
    expect(row.locator(".tag-again")).to_have_text("klients rakstīja vēlreiz")
    expect(row.locator(".tag-unseen")).to_have_text("jauna kopš apskates")
    check_accessibility(page, "the inbox with markers")

    # Opening the case page is looking at it: the "new" marker goes, "wrote again" stays.
    page.get_by_role("link", name="Garantija dzīvokļa iegādei").click()
    page.get_by_role("link", name="Iesūtne").first.click()
    expect(row.locator(".tag-again")).to_be_visible()
    expect(row.locator(".tag-unseen")).to_have_count(0)

    case_open(
        client=make_client("Zane Ābola"), channel="phone", subject="Vēlāka", assignee=office.anna
    )
    page.goto("/?scope=mine")
    header = page.locator("th", has=page.get_by_role("link", name=re.compile("^Saņemta")))
    expect(header).not_to_have_attribute("aria-sort", re.compile("."))
    page.get_by_role("link", name=re.compile("^Saņemta")).click()
    expect(page).to_have_url(re.compile(r"sort=-received"))
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(page.locator("#results tbody tr").first).to_contain_text("Vēlāka")
    check_accessibility(page, "the inbox sorted by received, newest first")

    page.get_by_label("Saglabāt šo skatu ar nosaukumu").fill("Jaunākās vispirms")
    page.get_by_role("button", name="Saglabāt skatu").click()
    expect(page.locator(".flash")).to_contain_text("Skats “Jaunākās vispirms” saglabāts.")
    saved = page.get_by_role("navigation", name="Saglabātie skati")
    expect(saved.get_by_role("link", name="Jaunākās vispirms")).to_have_attribute(
        "aria-current", "page"
    )
    check_accessibility(page, "the inbox with a saved view")
    page.goto("/?scope=team")
    saved.get_by_role("link", name="Jaunākās vispirms").click()
    expect(page).to_have_url(re.compile(r"scope=mine&sort=-received"))

    page.goto("/en/?scope=mine")
    expect(row.locator(".tag-again")).to_have_text("client wrote again")
    expect(page.get_by_role("link", name=re.compile("^Received"))).to_be_visible()
    check_accessibility(page, "the inbox with markers in English")


def test_bulk_assign_with_one_confirmation(page, office):
    free = [
        case_open(client=make_client(f"Klients {i}"), channel="phone", subject=f"Zvans {i}")
        for i in range(2)
    ]
    other = case_open(
        client=make_client("Ieva"), channel="email", subject="Jāņa lieta", assignee=office.janis
    )
    sign_in(page, office.anna.user.username)
    page.goto("/?scope=team")
    page.get_by_label(f"Izvēlēties {other.reference}").check()
    page.goto("/?scope=unassigned")
    page.get_by_label("Izvēlēties visas šīs lapas lietas").check()
    for case in free:
        expect(page.get_by_label(f"Izvēlēties {case.reference}")).to_be_checked()
    page.get_by_label("Darbība").select_option("assign")
    page.get_by_label("Kolēģis (piešķirot, nododot)").select_option(
        label="Anna Bērziņa — Klientu apkalpošana"
    )
    check_accessibility(page, "the inbox with cases chosen")
    page.get_by_role("button", name="Turpināt").click()
    expect(page.get_by_role("heading", name="Apstipriniet izvēlētajām lietām")).to_be_visible()
    for case in free:
        expect(page.locator(".bulk-list")).to_contain_text(case.reference)
    expect(page.locator(".bulk-list")).to_contain_text("Tiks piešķirta darbiniekam Anna Bērziņa.")
    assert Case.objects.filter(assignee=office.anna).count() == 1  # nothing changed yet
    check_accessibility(page, "the bulk confirmation")
    page.get_by_role("button", name="Apstiprināt 2 lietām").click()
    expect(page.get_by_role("heading", name="Izvēlētās lietas apstrādātas")).to_be_visible()
    expect(page.locator(".bulk-summary")).to_contain_text("Mainītas 2 lietas.")
    check_accessibility(page, "the bulk result")
    assert Case.objects.filter(assignee=office.anna).count() == 3

    # A colleague's case chosen in the team view is reported, not skipped.
    page.goto("/?scope=team")
    page.get_by_label(f"Izvēlēties {other.reference}").check()
    page.get_by_label("Darbība").select_option("assign")
    page.get_by_label("Kolēģis (piešķirot, nododot)").select_option(
        label="Anna Bērziņa — Klientu apkalpošana"
    )
    page.get_by_role("button", name="Turpināt").click()
    expect(page.locator(".bulk-refused")).to_contain_text(other.reference)
    expect(page.get_by_role("button", name=re.compile("^Apstiprināt"))).to_have_count(0)


def test_a_new_case_appears_without_reload(page, office, monkeypatch):
    monkeypatch.setattr("charterdesk.desk.views.inbox.LIVE_INTERVAL_SECONDS", 1)
    sign_in(page, office.anna.user.username)
    page.goto("/?scope=mine")
    page.evaluate("window.__noReload = true")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    case_open(
        client=make_client("Pēteris Liepa"),
        channel="phone",
        subject="Atzvanīt par garantiju",
        assignee=office.anna,
    )
    expect(page.locator("#results tbody tr", has_text="Atzvanīt par garantiju")).to_be_visible(
        timeout=10_000
    )
    expect(page.locator("#live-status")).to_have_text("Saraksts atjaunināts.")
    assert page.evaluate("window.__noReload") is True  # the same document: no reload
    check_accessibility(page, "the inbox after a live update")

    # While cases are being chosen the list is not replaced under the pointer: a button offers it.
    page.get_by_label(f"Izvēlēties {office.case.reference}").check()
    case_open(client=make_client("Rūta"), channel="post", subject="Vēstule", assignee=office.anna)
    button = page.get_by_role("button", name="Rādīt jauno sarakstu")
    expect(button).to_be_visible(timeout=10_000)
    expect(page.locator("#results tbody tr", has_text="Vēstule")).to_have_count(0)
    check_accessibility(page, "the inbox offering a changed list")
    button.click()
    expect(page.locator("#results tbody tr", has_text="Vēstule")).to_be_visible()

    page.goto("/en/?scope=mine")
    case_open(
        client=make_client("Ilga"), channel="phone", subject="English live", assignee=office.anna
    )
    expect(page.locator("#results tbody tr", has_text="English live")).to_be_visible(timeout=10_000)
    expect(page.locator("#live-status")).to_have_text("The list was updated.")


def test_inbox_at_390_px_keeps_sorting_and_choose_all(page, office):
    page.set_viewport_size({"width": 390, "height": 844})
    case_open(
        client=make_client("Zane Ābola"), channel="phone", subject="Vēlāka", assignee=office.anna
    )
    sign_in(page, office.anna.user.username)
    page.goto("/?scope=mine")
    expect(page.get_by_label("Izvēlēties visas šīs lapas lietas")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Saņemta")).click()
    expect(page).to_have_url(re.compile(r"sort=-received"))
    expect(page.locator("#results tbody tr").first).to_contain_text("Vēlāka")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide"
    check_accessibility(page, "the sorted inbox at 390 px")
