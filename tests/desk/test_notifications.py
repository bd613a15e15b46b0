"""The desk's notifications page and the header's unread count; marking read."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from charterdesk.cases.models import CaseEvent
from charterdesk.notifications.models import Notification
from charterdesk.sla.checks import sla_sweep
from tests.desk.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def breached(office):
    """The office's case left unanswered past both deadlines: Anna and Laura (the team's lead)
    are told; Jānis is not."""
    with time_machine.travel(datetime.fromisoformat("2030-01-10T12:00+02:00"), tick=False):
        sla_sweep()
    assert CaseEvent.objects.filter(case=office.case, type="timer.breached").exists()
    return office


def test_the_list_and_the_header_count(breached):
    office = breached
    count = Notification.objects.filter(recipient=office.anna).count()
    assert count >= 1
    client = signed_in(office.anna)
    html = client.get("/").content.decode()
    assert 'href="/notifications/"' in html
    assert f'{count} <span class="visually-hidden">nelasīt' in html
    page = client.get("/notifications/").content.decode()
    assert "Paziņojumi" in page and office.case.reference in page
    assert "nokavēts termiņš" in page
    assert f'href="/cases/{office.case.pk}/"' in page
    # Jānis has nothing; his header shows no count
    other = signed_in(office.janis)
    assert "Paziņojumu nav." in other.get("/notifications/").content.decode()


def test_mark_one_then_all_read(breached):
    office = breached
    client = signed_in(office.anna)
    mine = list(Notification.objects.filter(recipient=office.anna))
    response = client.post("/notifications/", {"id": mine[0].pk})
    assert response.status_code == 302
    assert (
        Notification.objects.filter(recipient=office.anna, read_at__isnull=True).count()
        == len(mine) - 1
    )
    # someone else's id changes nothing of theirs
    lauras = Notification.objects.filter(recipient=office.laura).first()
    client.post("/notifications/", {"id": lauras.pk})
    lauras.refresh_from_db()
    assert lauras.read_at is None
    client.post("/notifications/")
    assert not Notification.objects.filter(recipient=office.anna, read_at__isnull=True).exists()
    html = client.get("/").content.decode()
    assert 'class="visually-hidden">nelasīt' not in html


def test_in_english(breached):
    office = breached
    client = signed_in(office.anna)
    page = client.get("/en/notifications/").content.decode()
    assert "deadline was missed" in page and "Mark all read" in page
