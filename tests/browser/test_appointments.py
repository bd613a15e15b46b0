"""Consultations in a real Chromium: booking from a case, moving, the client's late link, the
office's day view, in Latvian and English, and booking with JavaScript switched off; axe-core on
every page."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from charterdesk.appointments import links
from charterdesk.appointments.models import Appointment
from charterdesk.appointments.selectors import free_slots
from charterdesk.appointments.services import appointment_book
from charterdesk.cases.services import case_open
from tests.appointments.conftest import build_world
from tests.browser.conftest import check_accessibility, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def world(transactional_db):
    return build_world()


def _case(world):
    return case_open(
        client=world.ilze,
        channel="email",
        subject="Garantija dzīvokļa iegādei",
        programme=world.housing,
        assignee=world.anna,
    )


def _booked(world):
    # Anna's own next slot: the office's first free slot may be another consultant's (on a
    # Wednesday after 11:00 it is Laura's on Friday), and Anna cannot take that one.
    slot = free_slots(world.housing, offices=[world.riga_office], consultant=world.anna, limit=1)[0]
    return appointment_book(
        programme=world.housing,
        office=world.riga_office,
        consultant=world.anna,
        starts_at=slot.starts_at,
        via="desk",
        topic="Garantija",
        client=world.ilze,
        contact_phone="+37129123456",
        by=world.anna,
    )


def test_book_from_a_case_and_move_in_latvian(page, world):
    case = _case(world)
    sign_in(page, world.anna.user.username)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="Pierakstīt uz konsultāciju").click()
    expect(page.get_by_role("heading", name="Pierakstīt uz konsultāciju")).to_be_visible()
    page.get_by_role("combobox", name="Birojs", exact=True).select_option(str(world.riga_office.pk))
    page.get_by_role("button", name="Rādīt brīvos laikus").click()
    radios = page.locator('input[name="slot"]')
    expect(radios.first).to_be_visible()
    check_accessibility(page, "the booking page (lv)")
    radios.nth(1).check()
    expect(page.get_by_role("textbox", name="Tēma", exact=True)).to_have_value(
        "Garantija dzīvokļa iegādei"
    )
    expect(page.get_by_role("textbox", name="Īpašas vajadzības", exact=True)).to_have_value(
        "Vājredzība: lūdz lielu drukas burtu."
    )
    page.get_by_role("textbox", name="Vajadzīgā palīdzība", exact=True).fill(
        "Kā pieteikties garantijai?"
    )
    page.get_by_role("button", name="Pierakstīt", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Uzaicinājums ar kalendāra datni")
    check_accessibility(page, "the appointment page (lv)")
    appointment = Appointment.objects.get(case=case)
    assert appointment.help_wanted == "Kā pieteikties garantijai?"
    first_start = appointment.starts_at

    page.locator('input[name="slot"]').nth(2).check()
    page.get_by_role("button", name="Pārcelt uz šo laiku").click()
    expect(page.get_by_role("status")).to_contain_text("Pārcelts")
    appointment.refresh_from_db()
    assert appointment.sequence == 1 and appointment.starts_at != first_start
    page.goto(f"/cases/{case.pk}/")
    expect(page.locator(".timeline")).to_contain_text("Konsultācija pārcelta no")


def test_the_late_link_in_english_and_used_twice(page, world):
    world.ilze.language = "en"
    world.ilze.save()
    appointment = _booked(world)
    url = links.url(appointment, links.Purpose.LATE, "en").split("localhost:8000", 1)[1]
    page.goto(url)
    expect(page.get_by_role("heading", name="Tell us you will be late")).to_be_visible()
    check_accessibility(page, "the late link page (en)")
    page.get_by_role("combobox", name="Late by", exact=True).select_option("20")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_contain_text("late by 20 minutes")
    check_accessibility(page, "the late link's thank-you page (en)")
    page.goto(url)
    expect(page.get_by_role("alert")).to_contain_text("already been used")
    check_accessibility(page, "the used link page (en)")
    appointment.refresh_from_db()
    assert appointment.late_minutes == 20


def test_the_day_view_in_latvian_and_english(page, world):
    appointment = _booked(world)
    day = timezone.localtime(appointment.starts_at).date().isoformat()
    sign_in(page, world.anna.user.username)
    page.goto(f"/appointments/day/?office=riga&date={day}")
    row = page.locator(f"#visit-{appointment.pk}")
    expect(row).to_contain_text("Vājredzība")
    expect(row.locator("td").first).to_contain_text("Īpašas vajadzības")  # the flag up front
    check_accessibility(page, "the day view (lv)")
    row.get_by_role("button", name="Ieradās", exact=True).click()
    expect(page.locator(f"#visit-{appointment.pk}")).to_contain_text("ieradās")
    page.locator(f"#visit-{appointment.pk}").get_by_role(
        "button", name="Dokuments pārbaudīts"
    ).click()
    expect(page.locator(f"#visit-{appointment.pk}")).to_contain_text("dokuments pārbaudīts")
    page.locator(f"#visit-{appointment.pk}").get_by_role("button", name="Sākt", exact=True).click()
    expect(page.locator(f"#visit-{appointment.pk}")).to_contain_text("sākts")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("columnheader", name="Special needs")).to_be_visible()
    check_accessibility(page, "the day view (en)")
    page.locator(f"#visit-{appointment.pk}").get_by_role(
        "button", name="Finish", exact=True
    ).click()
    expect(page.locator(f"#visit-{appointment.pk}")).to_contain_text("finished")
    appointment.refresh_from_db()
    assert appointment.status == "done" and appointment.identity_checked_at is not None
    page.goto("/en/appointments/measures/")
    expect(page.get_by_role("heading", name="Consultations in person: measures")).to_be_visible()
    expect(page.locator("table")).to_contain_text("Riga consultation office")
    check_accessibility(page, "the measures page (en)")
    page.goto(f"/en/appointments/book/?programme={world.housing.pk}")
    expect(page.get_by_role("heading", name="Book a consultation")).to_be_visible()
    check_accessibility(page, "the booking page on the phone (en)")


def test_booking_on_the_phone_without_javascript(chromium, live_server, world):
    context = chromium.new_context(
        base_url=live_server.url,
        java_script_enabled=False,
        locale="lv-LV",
        timezone_id="Europe/Riga",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, world.anna.user.username)
        page.goto("/appointments/book/")
        page.get_by_role("combobox", name="Programma", exact=True).select_option(
            str(world.housing.pk)
        )
        page.get_by_role("button", name="Rādīt brīvos laikus").click()
        page.locator('input[name="slot"]').first.check()
        page.get_by_role("textbox", name="Tēma", exact=True).fill("Garantija pa tālruni")
        page.get_by_role("textbox", name="Klienta vārds, uzvārds", exact=True).fill("Pēteris Liepa")
        page.get_by_role("textbox", name="Kontakttālrunis", exact=True).fill("26 000 000")
        page.get_by_role("button", name="Pierakstīt", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("nav e-pasta adreses")
        # (axe-core needs JavaScript: the same pages are checked in the tests above.)
        booked = Appointment.objects.get(topic="Garantija pa tālruni")
        assert booked.case.channel == "phone" and booked.contact_phone == "+37126000000"
        assert booked.case.client.name == "Pēteris Liepa"
    finally:
        context.close()
