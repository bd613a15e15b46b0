"""Lock-out after failed attempts (django-axes), on the desk's sign-in and the admin's alike."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.factories import make_employee

pytestmark = pytest.mark.django_db

WRONG = "not-the-password"


def _fail(client, url, username, times):
    return [
        client.post(url, {"username": username, "password": WRONG}).status_code
        for _ in range(times)
    ]


def test_five_wrong_passwords_lock_the_desk_sign_in_even_for_the_right_one(client, settings):
    employee = make_employee()
    name = employee.user.username
    assert _fail(client, "/login/", name, 4) == [200] * 4  # the form again, with its error
    locked = client.post("/login/", {"username": name, "password": WRONG})
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Pieteikšanās bloķēta" in page
    assert "Parole 5 reizes pēc kārtas bija nepareiza." in page
    assert "ir bloķēta uz 15 minūtēm" in page
    right = client.post("/login/", {"username": name, "password": "pw-test-123456"})
    assert right.status_code == 429 and "_auth_user_id" not in client.session


def test_the_lock_out_ends_after_the_cool_off(client):
    employee = make_employee()
    name = employee.user.username
    _fail(client, "/login/", name, 5)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        right = client.post("/login/", {"username": name, "password": "pw-test-123456"})
    assert right.status_code == 302 and right["Location"] == "/"


def test_the_lock_out_is_per_user_name_and_address(client):
    locked, other = make_employee(), make_employee("Baiba")
    _fail(client, "/login/", locked.user.username, 5)
    ok = client.post("/login/", {"username": other.user.username, "password": "pw-test-123456"})
    assert ok.status_code == 302
    elsewhere = client.post(
        "/login/",
        {"username": locked.user.username, "password": "pw-test-123456"},
        REMOTE_ADDR="192.0.2.77",
    )
    assert elsewhere.status_code == 302


def test_the_admin_sign_in_is_locked_too_and_says_so_in_english(client):
    get_user_model().objects.create_superuser("root", "root@altum.example", "pw-test-123456")
    for _ in range(4):
        client.post("/en/admin/login/", {"username": "root", "password": WRONG})
    locked = client.post("/en/admin/login/", {"username": "root", "password": WRONG})
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "The password was wrong 5 times in a row." in page
    assert "is locked for 15 minutes" in page
    assert (
        client.post(
            "/en/admin/login/", {"username": "root", "password": "pw-test-123456"}
        ).status_code
        == 429
    )


def test_behind_a_proxy_the_forwarded_address_counts(client, settings):
    settings.CHARTERDESK_PROXY_COUNT = 1
    employee = make_employee()
    name = employee.user.username
    for _ in range(5):
        client.post(
            "/login/",
            {"username": name, "password": WRONG},
            HTTP_X_FORWARDED_FOR="198.51.100.9",
        )
    other_client = client.post(
        "/login/",
        {"username": name, "password": "pw-test-123456"},
        HTTP_X_FORWARDED_FOR="198.51.100.10",
    )
    assert other_client.status_code == 302
