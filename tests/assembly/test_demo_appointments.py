"""The demo data gives the consultants plans and a few consultations, so the booking page offers
times and the office's day view has visits."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from charterdesk.appointments.day import office_day
from charterdesk.appointments.models import Appointment, ConsultantPlan
from charterdesk.appointments.selectors import free_slots
from charterdesk.assembly.demo import load_demo
from charterdesk.directory.config import load_config
from charterdesk.directory.models import Office, Programme
from tests.appointments.conftest import RIGA

# A Monday morning: the Riga office is open, Anna and Jānis receive clients.
NOW = datetime(2026, 12, 7, 9, 30, tzinfo=RIGA)


@pytest.fixture
def demo(db):
    load_config()
    return load_demo(now=NOW)


def test_the_demo_consultants_have_plans_and_the_booking_page_finds_times(demo):
    assert ConsultantPlan.objects.filter(office__code="riga").count() >= 10
    riga = Office.objects.get(code="riga")
    for code in ("housing-guarantee", "start-up"):
        slots = free_slots(Programme.objects.get(code=code), offices=[riga], now=NOW, limit=5)
        assert len(slots) == 5, code
        assert all(s.starts_at >= NOW for s in slots)
    # A consultant at two offices: Ilze receives at Cēsis Monday–Thursday, at Valmiera on Fridays.
    farmers = Programme.objects.get(code="farmers")
    valmiera = free_slots(farmers, offices=[Office.objects.get(code="valmiera")], now=NOW)
    assert valmiera and {s.starts_at.astimezone(RIGA).weekday() for s in valmiera} == {4}


def test_the_demo_day_view_shows_bookings_and_walk_ins(demo, client):
    today = office_day(Office.objects.get(code="riga"), NOW.date())
    assert sum(v.walk_in for v in today) == 2
    assert any(v.started_at for v in today)
    booked = Appointment.objects.filter(booked_via="desk").order_by("starts_at")
    assert booked.count() == 5
    days = {b.starts_at.astimezone(RIGA).date() for b in booked}
    assert days == {date(2026, 12, 7), date(2026, 12, 8)}
    assert all(time(9) <= b.starts_at.astimezone(RIGA).time() < time(17) for b in booked)
    # Laura (head of client service) holds every programme: she sees every visit of the day.
    client.login(username="laura", password="demo-altum-2026")
    page = client.get("/appointments/day/?office=riga&date=2026-12-07")
    assert page.status_code == 200
    assert page.content.count(b'id="visit-') == len(today) >= 5


def test_the_demo_loads_twice_without_doubling_the_plans(demo):
    plans = ConsultantPlan.objects.count()
    load_demo(now=NOW)
    assert ConsultantPlan.objects.count() == plans
