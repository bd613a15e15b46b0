"""The visit's steps, walk-ins, notes on the case, the day view, and the measures."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import translation

from charterdesk.appointments import measures
from charterdesk.appointments.errors import AppointmentError
from charterdesk.appointments.services import (
    appointment_add_note,
    appointment_late_notice,
    appointment_step,
    appointment_walk_in,
)
from charterdesk.cases.models import CaseEvent, Message
from tests.appointments.conftest import riga
from tests.appointments.test_booking import book
from tests.desk.conftest import signed_in
from tests.factories import make_client


@pytest.fixture(autouse=True)
def _english():
    """The services' refusals are read here in English (the pages' Latvian is tested too)."""
    with translation.override("en"):
        yield


def test_steps_of_a_visit_and_the_identity_rule(world):
    a = book(world, riga(2026, 12, 7, 10))
    with pytest.raises(AppointmentError, match="not come yet"):
        appointment_step(appointment=a, step="no_show", by=world.anna, now=riga(2026, 12, 7, 9))
    appointment_step(appointment=a, step="arrived", by=world.anna, now=riga(2026, 12, 7, 9, 55))
    # [CLIENT-ID]: the programme needs the document, so starting before the check is refused.
    with pytest.raises(AppointmentError, match="identity document"):
        appointment_step(appointment=a, step="started", by=world.anna, now=riga(2026, 12, 7, 10))
    appointment_step(
        appointment=a, step="identity_checked", by=world.anna, now=riga(2026, 12, 7, 10, 1)
    )
    started = appointment_step(
        appointment=a, step="started", by=world.anna, now=riga(2026, 12, 7, 10, 4)
    )
    assert started.started_at == riga(2026, 12, 7, 10, 4)
    with pytest.raises(AppointmentError, match="already been recorded"):
        appointment_step(appointment=a, step="started", by=world.anna)
    appointment_add_note(appointment=a, by=world.anna, body="Izskaidroti garantijas nosacījumi.")
    done = appointment_step(
        appointment=a, step="finished", by=world.anna, now=riga(2026, 12, 7, 10, 40)
    )
    assert done.status == "done"
    types = list(CaseEvent.objects.filter(case=a.case).values_list("type", flat=True))
    for t in (
        "appointment.arrived",
        "appointment.identity_checked",
        "appointment.started",
        "appointment.finished",
    ):
        assert t in types
    start = CaseEvent.objects.get(case=a.case, type="appointment.started")
    assert start.params["after_booked_minutes"] == 4.0
    note = Message.objects.get(case=a.case, kind="note")
    assert note.body == "Izskaidroti garantijas nosacījumi."  # the visit's note is on the case


def test_no_show_and_late_notice(world):
    a = book(world, riga(2026, 12, 7, 10))
    appointment_late_notice(appointment=a, minutes=10, via="phone", now=riga(2026, 12, 7, 9))
    with pytest.raises(AppointmentError, match="Choose how late"):
        appointment_late_notice(appointment=a, minutes=7, via="phone", now=riga(2026, 12, 7, 9))
    appointment_step(appointment=a, step="no_show", by=world.anna, now=riga(2026, 12, 7, 10, 30))
    a.refresh_from_db()
    assert a.status == "no_show"
    with pytest.raises(AppointmentError):
        appointment_step(appointment=a, step="arrived", by=world.anna)


def test_walk_in_waits_until_started(world):
    client = make_client("Kārlis Ozols", email="", phone="+37126111111")
    w = appointment_walk_in(
        office=world.riga_office,
        programme=world.startup,
        topic="Starta aizdevums",
        by=world.janis,
        client=client,
        contact_phone="+37126111111",
        now=riga(2026, 12, 7, 11),
    )
    assert w.walk_in and w.arrived_at == riga(2026, 12, 7, 11) and w.case.channel == "in_person"
    appointment_step(appointment=w, step="started", by=world.janis, now=riga(2026, 12, 7, 11, 25))
    w.refresh_from_db()
    assert measures.wait_minutes(w) == 25.0


def test_measures_from_the_rows(world):
    """Four booked visits and a walk-in, hand-counted: 2 of 3 started timely (N = 10 from the
    policy), one no-show of 4 due, one late notice of 4, a walk-in waiting 25 minutes."""
    now = riga(2026, 12, 1, 12)
    a1 = book(world, riga(2026, 12, 7, 9), now=now)
    a2 = book(world, riga(2026, 12, 7, 10), now=now)
    a3 = book(world, riga(2026, 12, 7, 11), now=now)
    a4 = book(world, riga(2026, 12, 7, 12), now=now)
    for a, start in ((a1, riga(2026, 12, 7, 9, 5)), (a2, riga(2026, 12, 7, 10, 12))):
        appointment_step(appointment=a, step="identity_checked", by=world.anna, now=start)
        appointment_step(appointment=a, step="started", by=world.anna, now=start)
    # a3 warned of 15 minutes, arrived 11:14, started 11:20: 6 minutes after arrival → timely.
    appointment_late_notice(appointment=a3, minutes=15, via="link", now=riga(2026, 12, 7, 10))
    appointment_step(appointment=a3, step="arrived", by=world.anna, now=riga(2026, 12, 7, 11, 14))
    appointment_step(
        appointment=a3, step="identity_checked", by=world.anna, now=riga(2026, 12, 7, 11, 15)
    )
    appointment_step(appointment=a3, step="started", by=world.anna, now=riga(2026, 12, 7, 11, 20))
    appointment_step(appointment=a4, step="no_show", by=world.anna, now=riga(2026, 12, 7, 12, 30))
    w = appointment_walk_in(
        office=world.riga_office,
        programme=world.startup,
        topic="Starta aizdevums",
        by=world.janis,
        client=world.ilze,
        contact_phone="+37129123456",
        now=riga(2026, 12, 7, 13),
    )
    appointment_step(appointment=w, step="started", by=world.janis, now=riga(2026, 12, 7, 13, 25))
    m = measures.office_measures(now=riga(2026, 12, 8, 12), days=30, with_next_free=False)
    assert m.timely_minutes == 10.0
    assert (m.timely, m.started_booked) == (2, 3)  # a2 waited 12 minutes
    assert (m.no_shows, m.due) == (1, 4)
    assert (m.late_notices, m.late_notices_in_advance) == (1, 1)
    assert m.walk_in_waits == [25.0]
    # Booked 01.12 12:00 for 07.12 09, 10, 11, 12: 5 days + 21, 22, 23, 24 hours.
    assert m.lead_days_median == pytest.approx(5 + 22.5 / 24)


def test_next_free_time_per_office_and_programme(world):
    m = measures.office_measures(now=riga(2026, 12, 7, 6), days=30)
    found = {(o.code, p.code): at for o, p, at in m.next_free}
    assert found[("riga", "housing")] == riga(2026, 12, 7, 9)
    assert found[("valmiera", "housing")] == riga(2026, 12, 8, 10)
    assert found[("valmiera", "startup")] is None  # nobody consults on start-up there


def test_the_day_view_puts_special_needs_first(world):
    a = book(world, riga(2026, 12, 7, 10))
    appointment_late_notice(appointment=a, minutes=20, via="link", now=riga(2026, 12, 7, 9))
    http = signed_in(world.anna)
    with time_machine.travel(riga(2026, 12, 7, 9, 30), tick=False):
        page = http.get("/appointments/day/?office=riga&date=2026-12-07")
        body = page.content.decode()
        assert page.status_code == 200
        row = body[body.index(f'id="visit-{a.pk}"') :]
        assert row.index("Vājredzība") < row.index("Ilze Bērziņa")  # the flag up front
        assert "kavēs 20 min (klients paziņoja)" in row
        response = http.post("/appointments/day/step/", {"step": f"{a.pk}:arrived"})
        assert response.status_code == 302
    a.refresh_from_db()
    assert a.arrived_at == riga(2026, 12, 7, 9, 30)


def test_the_day_view_query_count_does_not_grow(world, django_assert_max_num_queries):
    from datetime import date

    from charterdesk.appointments.day import office_day

    for i in range(3):
        book(
            world,
            riga(2026, 12, 7, 9) + timedelta(hours=i),
            client=make_client(f"K {i}", email=f"k{i}@example.lv"),
        )
    with django_assert_max_num_queries(1):
        visits = office_day(world.riga_office, date(2026, 12, 7))
        _ = [(v.case.client.name, v.programme.name, v.consultant) for v in visits]
    assert len(visits) == 3


def test_the_day_sheet_reads_nothing_beyond_the_days_one_query(world, django_assert_num_queries):
    """``office_day`` reads only the columns the day view shows: building the rows and the
    summary touches no deferred field (each would be a query per visit)."""
    from datetime import date

    from charterdesk.appointments import daysheet
    from charterdesk.appointments.day import office_day
    from charterdesk.appointments.measures import day_summary

    for i in range(3):
        a = book(
            world,
            riga(2026, 12, 7, 9) + timedelta(hours=i),
            client=make_client(f"K {i}", email=f"k{i}@example.lv"),
        )
    appointment_step(appointment=a, step="arrived", by=world.anna, now=riga(2026, 12, 7, 11))
    with django_assert_num_queries(1):
        visits = office_day(world.riga_office, date(2026, 12, 7))
        rows = daysheet.rows(visits)
        summary = day_summary(visits)
    assert len(rows) == 3 and summary.booked == 3 and summary.arrived == 1
    assert "K 2" in "".join(rows)
