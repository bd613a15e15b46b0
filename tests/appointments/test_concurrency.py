"""20 parallel bookings of one slot on PostgreSQL: exactly one succeeds, the other 19 get "this time
was just taken" with the next free slots (real threads, real connections, through the HTTP view)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client as HttpClient

from charterdesk.appointments.forms import slot_value
from charterdesk.appointments.models import Appointment
from charterdesk.appointments.selectors import free_slots
from charterdesk.cases.models import Case, Message
from charterdesk.cases.services import case_open
from tests.appointments.conftest import build_world
from tests.factories import make_client

N = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_bookings_of_one_slot():
    if connection.vendor != "postgresql":
        pytest.skip("needs a server database with concurrent connections (runs on PostgreSQL)")
    world = build_world()
    cases = [
        case_open(
            client=make_client(f"Klients {i}", email=f"k{i}@example.lv"),
            channel="phone",
            subject=f"Garantija {i}",
            programme=world.housing,
        )
        for i in range(N)
    ]
    slot = free_slots(world.housing, offices=[world.riga_office], limit=1)[0]
    browsers = []
    for _ in range(N):
        http = HttpClient()
        http.force_login(world.anna.user)
        browsers.append(http)
    barrier = threading.Barrier(N)
    results: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def request(i: int) -> None:
        try:
            barrier.wait()
            response = browsers[i].post(
                f"/appointments/book/?case={cases[i].pk}&programme={world.housing.pk}"
                f"&office={world.riga_office.pk}",
                {
                    "case": cases[i].pk,
                    "slot": slot_value(slot),
                    "topic": "Garantija",
                    "contact_phone": "+37129123456",
                    "language": "lv",
                },
            )
            results.append((response.status_code, response.content.decode()))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=request, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    codes = sorted(code for code, _ in results)
    assert codes == [302] + [409] * (N - 1), codes
    assert Appointment.objects.count() == 1
    winner = Appointment.objects.get()
    assert winner.starts_at == slot.starts_at
    # Only the winner's case has an invitation and a booking event; the losers wrote nothing.
    assert Message.objects.filter(kind="invitation").count() == 1
    assert Case.objects.filter(events__type="appointment.booked").count() == 1
    for code, body in results:
        if code == 409:
            assert "Šis laiks tikko tika aizņemts" in body or "This time was just taken" in body
            # The next free slots are offered as choices, the taken one not among them.
            assert body.count('name="slot"') >= 1
            assert f'value="{slot_value(slot)}"' not in body
