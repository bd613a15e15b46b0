"""The idle time-out: a session left alone longer than the setting is signed out."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tests.factories import make_employee

pytestmark = pytest.mark.django_db


def test_an_idle_session_returns_to_sign_in_with_a_message(client, settings):
    settings.CHARTERDESK_IDLE_TIMEOUT = 30 * 60
    employee = make_employee()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post("/login/", {"username": employee.user.username, "password": "pw-test-123456"})
        assert client.get("/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert client.get("/").status_code == 200  # activity keeps it alive
    with time_machine.travel(start + dt.timedelta(minutes=58), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=89), tick=False):
        response = client.get("/?scope=team")
        assert response.status_code == 302
        assert response["Location"] == "/login/?next=%2F%3Fscope%3Dteam"
        assert "_auth_user_id" not in client.session
        page = client.get(response["Location"]).content.decode()
    assert "Sesija beigta pēc 30 minūtēm bez darbības." in page


def test_htmx_requests_go_to_sign_in_as_a_whole_page_and_in_english(client, settings):
    settings.CHARTERDESK_IDLE_TIMEOUT = 60
    employee = make_employee()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post("/login/", {"username": employee.user.username, "password": "pw-test-123456"})
        client.get("/")
    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):
        response = client.get("/en/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == "/en/login/"
    page = client.get("/en/login/").content.decode()
    assert "You were signed out after 1 minute without activity." in page


def test_zero_turns_the_time_out_off(client, settings):
    settings.CHARTERDESK_IDLE_TIMEOUT = 0
    employee = make_employee()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post("/login/", {"username": employee.user.username, "password": "pw-test-123456"})
    with time_machine.travel(start + dt.timedelta(days=1), tick=False):
        assert client.get("/").status_code == 200
