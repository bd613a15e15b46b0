"""The phone in a real Chromium: a signed call event from the exchange pops the call up on the desk
of the employee whose extension rings; the employee writes the call note on the caller's open case
and promises a callback; the callback is made.  axe-core checks every phone page."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from charterdesk.cases.models import Message
from charterdesk.channels.phone.models import Callback, PhoneLine
from charterdesk.channels.phone.signing import HEADER, header_value
from tests.browser.conftest import check_accessibility, sign_in
from tests.phone.helpers import EXCHANGE, SECRET, make_exchange

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def send(live_server, event: dict) -> None:
    """POST one event as an exchange does: over HTTP, signed."""
    body = json.dumps(event).encode()
    request = urllib.request.Request(
        live_server.url + "/api/v1/phone/events",
        data=body,
        headers={"Content-Type": "application/json", HEADER: header_value(EXCHANGE, SECRET, body)},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status in (200, 201)


def test_screen_pop_call_note_and_callback_promise(page, office, live_server):
    from charterdesk.channels.phone import lookups

    lookups.forget()
    make_exchange()
    PhoneLine.objects.create(
        number="+37167774010", name_lv="Informatīvais tālrunis", records_calls=True
    )
    office.anna.extension = "101"
    office.anna.save()
    sign_in(page, office.anna.user.username)

    t = time.time()
    send(
        live_server,
        {
            "call_id": "b1",
            "event": "offered",
            "at": f"{t:.3f}",
            "caller": "29 123 456",
            "line": "67774010",
        },
    )
    send(live_server, {"call_id": "b1", "event": "alerting", "at": f"{t + 0.5:.3f}", "leg": "101"})
    rang = time.monotonic()
    pop = page.get_by_role("heading", name="Ienākošs zvans: +371 29 123 456")
    expect(pop).to_be_visible()
    shown_after = time.monotonic() - rang
    assert shown_after < 3, shown_after  # polled every 500 ms; the figure is in bench/
    expect(page.get_by_text("Labdien! ALTUM, runā Anna Bērziņa.")).to_be_visible()
    expect(page.locator("#phone-pop .client-name")).to_have_text("Ilze Bērziņa")
    expect(page.get_by_role("link", name=office.case.reference)).to_be_visible()
    expect(
        page.get_by_text("zvanītājs ir dzirdējis, ka saruna var tikt ierakstīta")
    ).to_be_visible()
    check_accessibility(page, "the inbox with the screen pop")

    send(live_server, {"call_id": "b1", "event": "answered", "at": f"{t + 9.5:.3f}", "leg": "101"})
    expect(page.get_by_role("heading", name="Notiek saruna: +371 29 123 456")).to_be_visible()
    page.get_by_role("link", name="Rakstīt zvana piezīmi").click()
    expect(page.get_by_role("heading", name="Zvans no +371 29 123 456")).to_be_visible()
    expect(page.get_by_text("2 signāli (9 sekundes)")).to_be_visible()
    check_accessibility(page, "the call page")

    page.get_by_label(f"{office.case.reference} · {office.case.subject}").check()
    page.get_by_role("textbox", name="Zvana piezīme").fill(
        "Jautāja par garantijas termiņu; jāprecizē ar kolēģi."
    )
    page.get_by_label("Apsolīts atzvans").check()
    page.get_by_role("button", name="Saglabāt zvana piezīmi").click()
    expect(
        page.get_by_text(f"Zvana piezīme pievienota lietai {office.case.reference}.")
    ).to_be_visible()
    expect(page.get_by_text("Jautāja par garantijas termiņu")).to_be_visible()
    check_accessibility(page, "the case with the call note")
    note = Message.objects.get(case=office.case, kind="call")
    assert note.meta["outcome"] == "callback"
    callback = Callback.objects.get(case=office.case)
    assert callback.made_at is None and not callback.automatic

    page.goto("/phone/callbacks/")
    check_accessibility(page, "the callbacks page")
    page.get_by_label("Ko pateicāt klientam").fill("Atzvanīju: termiņš ir 10 darba dienas.")
    page.get_by_role("button", name="Atzvanīts").click()
    expect(page.get_by_text(f"Atzvans lietā {office.case.reference} reģistrēts.")).to_be_visible()
    callback.refresh_from_db()
    assert callback.kept is True

    for url, what in (
        ("/phone/", "the calls page"),
        ("/phone/measures/", "the measures page"),
        ("/phone/sampling/", "the sampling page"),
    ):
        page.goto(url)
        check_accessibility(page, what)
    page.goto("/phone/sampling/")
    page.get_by_role("radio", name="jā").first.check()
    page.get_by_role("radio", name="jā").nth(1).check()
    page.get_by_role("button", name="Saglabāt pārbaudi").click()
    expect(page.get_by_text("Zvana pārbaude saglabāta.")).to_be_visible()
    page.goto("/en/phone/measures/")
    expect(page.get_by_role("heading", name="Phone measures")).to_be_visible()
    check_accessibility(page, "the measures page in English")
