"""The TOTP second factor (django-otp): required for administrators, optional for employees."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from charterdesk.signin.demo import current_code
from tests.factories import make_employee

pytestmark = pytest.mark.django_db
PASSWORD = "pw-test-123456"


def _sign_in(client, username, url="/login/"):
    response = client.post(url, {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def _enrolled(user):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_an_administrator_must_enrol_before_anything_else(client):
    get_user_model().objects.create_superuser("root", "root@altum.example", PASSWORD)
    _sign_in(client, "root")
    to_enrol = client.get("/admin/")
    assert to_enrol.status_code == 302
    assert to_enrol["Location"].startswith("/signin/authenticator/?next=%2Fadmin%2F")
    for other in ("/", "/admin/auth/user/"):
        assert client.get(other)["Location"].startswith("/signin/authenticator/")
    page = client.get(to_enrol["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and 'class="qr"' in html  # the QR code, drawn here
    device = TOTPDevice.objects.get(user__username="root", confirmed=False)
    secret = re.search(r'<code class="secret" id="totp-secret">([A-Z2-7 ]+)</code>', html)[1]
    assert secret.replace(" ", "") == __import__("base64").b32encode(device.bin_key).decode()
    assert client.get("/signin/authenticator/").content.decode().count(secret) == 1  # kept

    wrong = client.post("/signin/authenticator/", {"code": "000000", "next": "/admin/"})
    assert wrong.status_code == 400
    assert "Kods ir nepareizs vai novecojis" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302

    too_soon = client.post("/signin/authenticator/", {"code": current_code(device)})
    assert "Mēģiniet vēlreiz pēc 1 sekundes" in too_soon.content.decode()
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=5)):
        done = client.post(
            "/signin/authenticator/", {"code": current_code(device), "next": "/admin/"}
        )
    assert done.status_code == 302 and done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_an_enrolled_person_gives_the_code_after_the_password(client):
    employee = make_employee()
    device = _enrolled(employee.user)
    _sign_in(client, employee.user.username)
    to_code = client.get("/")
    assert to_code["Location"] == "/signin/code/?next=%2F"
    assert client.get("/cases/1/")["Location"].startswith("/signin/code/")
    step = client.get("/signin/code/?next=/")
    assert "Divpakāpju pieteikšanās" in step.content.decode()
    assert 'autocomplete="one-time-code"' in step.content.decode()
    wrong = client.post("/signin/code/", {"code": "12345", "next": "/"})
    assert wrong.status_code == 400 and "Kodā ir seši cipari." in wrong.content.decode()
    ok = client.post("/signin/code/", {"code": current_code(device), "next": "/"})
    assert ok.status_code == 302 and ok["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_codes_are_throttled(client):
    employee = make_employee()
    device = _enrolled(employee.user)
    _sign_in(client, employee.user.username)
    client.post("/signin/code/", {"code": "000000"})
    second = client.post("/en/signin/code/", {"code": "000000"})
    assert "Too many wrong codes. Try again in" in second.content.decode()
    # Even the right code waits until the pause is over.
    third = client.post("/en/signin/code/", {"code": current_code(device)})
    assert third.status_code == 400 and "Too many wrong codes" in third.content.decode()


def test_an_employee_without_an_authenticator_signs_in_with_the_password(client):
    employee = make_employee()
    _sign_in(client, employee.user.username)
    assert client.get("/").status_code == 200
    # ... and may enrol one.
    page = client.get("/en/signin/authenticator/")
    assert page.status_code == 200 and "Set up two-step sign-in" in page.content.decode()
    assert "Administrators sign in with" not in page.content.decode()


def test_a_stolen_password_cannot_enrol_a_new_authenticator(client):
    employee = make_employee()
    _enrolled(employee.user)
    _sign_in(client, employee.user.username)
    response = client.get("/signin/authenticator/?again=1")
    assert response.status_code == 302 and response["Location"].startswith("/signin/code/")
    assert TOTPDevice.objects.filter(user=employee.user).count() == 1


def test_enrolling_again_replaces_the_old_authenticator(client):
    employee = make_employee()
    old = _enrolled(employee.user)
    _sign_in(client, employee.user.username)
    client.post("/signin/code/", {"code": current_code(old)})
    assert "Pāriet uz jaunu tālruni" in client.get("/signin/authenticator/").content.decode()
    client.get("/signin/authenticator/?again=1")
    new = TOTPDevice.objects.get(user=employee.user, confirmed=False)
    client.post("/signin/authenticator/", {"code": current_code(new)})
    assert list(TOTPDevice.objects.filter(user=employee.user)) == [new]
    new.refresh_from_db()
    assert new.confirmed


def test_htmx_requests_are_sent_to_the_code_step_as_a_whole_page(client):
    employee = make_employee()
    _enrolled(employee.user)
    _sign_in(client, employee.user.username)
    response = client.get("/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == "/signin/code/"


def test_made_an_administrator_mid_session_is_asked_to_enrol(client):
    employee = make_employee()
    _sign_in(client, employee.user.username)
    assert client.get("/").status_code == 200
    employee.user.is_staff = True
    employee.user.save()
    assert client.get("/")["Location"].startswith("/signin/authenticator/")
