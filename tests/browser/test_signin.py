"""Sign-in in a real Chromium, in Latvian and English: the sign-in page, the lock-out message, the
enrolment of an authenticator (QR code and key), the code step; axe-core on each page, and the
Content-Security-Policy on (the page fixture fails a test on anything it blocks)."""

from __future__ import annotations

import base64
import time

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, check_accessibility
from tests.factories import make_employee

pytestmark = [pytest.mark.browser]


def _code(secret_text: str, *, ahead: int = 0) -> str:
    """The code an authenticator app shows now (or ``ahead`` steps of 30 s later: a code is
    accepted once, and one step of clock difference is allowed, so a second sign-in within the
    same 30 s uses the next one)."""
    key = base64.b32decode(secret_text.replace(" ", ""))
    totp = TOTP(key)
    totp.time = time.time() + 30 * ahead
    return f"{totp.token():06d}"


def _password(page, username, password, *, user_label, password_label, button):
    page.get_by_label(user_label).fill(username)
    page.get_by_label(password_label, exact=True).fill(password)
    with page.expect_response(lambda r: r.request.method == "POST" and "login" in r.url):
        page.get_by_role("button", name=button, exact=True).click()


def test_sign_in_page_and_lock_out_in_latvian_and_english(page, transactional_db):
    employee = make_employee()
    page.goto("/login/")
    expect(page.get_by_role("heading", name="Pieteikšanās darba vietā")).to_be_visible()
    check_accessibility(page, "the sign-in page (lv)")
    for _ in range(4):
        _password(
            page,
            employee.user.username,
            "wrong-password-1",
            user_label="Lietotājvārds",
            password_label="Parole",
            button="Pieteikties",
        )
        expect(page.get_by_role("alert")).to_contain_text("Lietotājvārds vai parole ir nepareizs")
    _password(
        page,
        employee.user.username,
        "wrong-password-1",
        user_label="Lietotājvārds",
        password_label="Parole",
        button="Pieteikties",
    )
    expect(page.get_by_role("heading", name="Pieteikšanās bloķēta")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Parole 5 reizes pēc kārtas bija nepareiza.")
    expect(page.get_by_role("alert")).to_contain_text("ir bloķēta uz 15 minūtēm")
    check_accessibility(page, "the lock-out page (lv)")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Sign in to the desk")).to_be_visible()
    check_accessibility(page, "the sign-in page (en)")
    _password(
        page,
        employee.user.username,
        PASSWORD,
        user_label="User name",
        password_label="Password",
        button="Sign in",
    )
    expect(page.get_by_role("heading", name="Sign-in locked")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("The password was wrong 5 times in a row.")
    expect(page.get_by_role("alert")).to_contain_text("is locked for 15 minutes")
    check_accessibility(page, "the lock-out page (en)")


def test_an_administrator_enrols_then_gives_the_code(page, transactional_db):
    get_user_model().objects.create_superuser("root", "root@altum.example", PASSWORD)
    page.goto("/login/")
    _password(
        page,
        "root",
        PASSWORD,
        user_label="Lietotājvārds",
        password_label="Parole",
        button="Pieteikties",
    )
    expect(page.get_by_role("heading", name="Divpakāpju pieteikšanās iestatīšana")).to_be_visible()
    expect(page.locator("svg.qr")).to_be_visible()
    box = page.locator("svg.qr").bounding_box()
    assert box and box["width"] >= 150  # large enough to scan
    check_accessibility(page, "the enrolment page (lv)")
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Kods no autentifikācijas lietotnes").fill("000000")
    page.get_by_role("button", name="Ieslēgt divpakāpju pieteikšanos").click()
    expect(page.get_by_role("alert")).to_contain_text("Kods ir nepareizs vai novecojis")
    check_accessibility(page, "the enrolment page with an error (lv)")
    page.wait_for_timeout(1200)  # django-otp makes a wrong code wait a second
    page.get_by_label("Kods no autentifikācijas lietotnes").fill(_code(secret))
    page.get_by_role("button", name="Ieslēgt divpakāpju pieteikšanos").click()
    expect(page).to_have_url(f"{page.url.split('/signin')[0]}/admin/")
    expect(page.get_by_text("Divpakāpju pieteikšanās ir ieslēgta.")).to_be_visible()

    # Next time: password, then the code step (in English this time).
    page.context.clear_cookies()
    page.goto("/en/login/")
    _password(
        page, "root", PASSWORD, user_label="User name", password_label="Password", button="Sign in"
    )
    expect(page.get_by_role("heading", name="Two-step sign-in")).to_be_visible()
    check_accessibility(page, "the code step (en)")
    page.get_by_label("Code from the authenticator app").fill("12")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("The code is six digits.")).to_be_visible()
    page.get_by_label("Code from the authenticator app").fill(_code(secret, ahead=1))
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(f"{page.url.split('/en/')[0]}/en/admin/")
    # The admin's own pages run under the same policy (the page fixture fails on anything blocked).
    page.goto("/en/admin/auth/user/add/")
    expect(page.get_by_role("heading", name="Add user")).to_be_visible()
    page.goto("/en/admin/axes/accessattempt/")
    expect(page.get_by_role("heading", name="Select access attempt to change")).to_be_visible()


def test_an_employee_enrols_from_the_desk_in_english_and_is_asked_next_time(page, transactional_db):
    employee = make_employee()
    page.goto("/en/login/")
    _password(
        page,
        employee.user.username,
        PASSWORD,
        user_label="User name",
        password_label="Password",
        button="Sign in",
    )
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    page.get_by_role("link", name="Two-step sign-in").click()
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    check_accessibility(page, "the enrolment page (en)")
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from the authenticator app").fill(_code(secret))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_text("Two-step sign-in is on.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    page.goto("/login/")
    _password(
        page,
        employee.user.username,
        PASSWORD,
        user_label="Lietotājvārds",
        password_label="Parole",
        button="Pieteikties",
    )
    expect(page.get_by_role("heading", name="Divpakāpju pieteikšanās")).to_be_visible()
    check_accessibility(page, "the code step (lv)")
    page.get_by_label("Kods no autentifikācijas lietotnes").fill(_code(secret, ahead=1))
    page.get_by_role("button", name="Apstiprināt").click()
    expect(page.get_by_role("heading", name="Iesūtne")).to_be_visible()
