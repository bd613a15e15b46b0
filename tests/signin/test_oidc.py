"""OpenID Connect single sign-on against a real (small) provider on loopback: the whole
authorization-code flow, and the mapping of the provider's e-mail claim to an active employee."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model

from tests.factories import make_employee
from tests.support.oidc_provider import oidc_provider

pytestmark = pytest.mark.django_db
BACKENDS = [
    "charterdesk.signin.lockout.LockoutBackend",
    "charterdesk.signin.oidc.EmployeeOIDCBackend",
    "django.contrib.auth.backends.ModelBackend",
]


@pytest.fixture
def provider(settings):
    with oidc_provider() as p:
        for key, value in p.settings.items():
            setattr(settings, key, value)
        settings.AUTHENTICATION_BACKENDS = BACKENDS
        settings.CHARTERDESK_OIDC_PROVIDER_NAME = "ALTUM ID"
        yield p


def _single_sign_on(client, provider, claims, start="/oidc/authenticate/"):
    provider.claims = claims
    to_provider = client.get(start)
    assert to_provider.status_code == 302
    assert to_provider["Location"].startswith(provider.url + "/authorize?")
    query = parse_qs(urlsplit(to_provider["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"]
    # The browser's step at the provider: it answers with a redirect back to our callback.
    back = requests.get(to_provider["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    assert callback.path == "/oidc/callback/"
    return client.get(f"{callback.path}?{callback.query}")


def test_an_employee_signs_in_through_the_identity_provider(client, provider):
    employee = make_employee()
    employee.email = "anna.berzina@altum.example"
    employee.save()
    page = client.get("/login/").content.decode()
    assert "Pieteikties ar ALTUM ID" in page and 'href="/oidc/authenticate/"' in page
    done = _single_sign_on(client, provider, {"sub": "u-1", "email": "Anna.Berzina@ALTUM.example"})
    assert done.status_code == 302 and done["Location"] == "/"
    assert client.session["_auth_user_id"] == str(employee.user.pk)
    assert client.get("/").status_code == 200
    assert any(r.startswith("/userinfo") for r in provider.requests)  # really asked


def test_nobody_is_created_for_an_unknown_address(client, provider):
    users = get_user_model().objects.count()
    done = _single_sign_on(client, provider, {"sub": "u-2", "email": "stranger@altum.example"})
    assert done.status_code == 302 and done["Location"] == "/login/?sso=failed"
    assert "_auth_user_id" not in client.session
    assert get_user_model().objects.count() == users
    page = client.get(done["Location"]).content.decode()
    assert "Vienotā pieteikšanās neizdevās" in page


def test_an_inactive_employee_or_an_unverified_address_is_refused(client, provider):
    employee = make_employee()
    employee.email = "gone@altum.example"
    employee.is_active = False
    employee.save()
    gone = _single_sign_on(client, provider, {"sub": "u-3", "email": "gone@altum.example"})
    assert gone["Location"] == "/login/?sso=failed"
    other = make_employee("Baiba")
    other.email = "baiba@altum.example"
    other.save()
    unverified = _single_sign_on(
        client,
        provider,
        {"sub": "u-4", "email": "baiba@altum.example", "email_verified": False},
    )
    assert unverified["Location"] == "/login/?sso=failed"
    assert "_auth_user_id" not in client.session


def test_a_forged_callback_is_refused(client, provider):
    make_employee().user  # noqa: B018
    client.get("/oidc/authenticate/")
    forged = client.get("/oidc/callback/?code=made-up&state=made-up")
    assert forged.status_code in (302, 400)
    assert "_auth_user_id" not in client.session


def test_without_configuration_there_is_no_single_sign_on(client, settings):
    settings.CHARTERDESK_OIDC = False
    assert client.get("/oidc/authenticate/").status_code == 404
    assert "oidc" not in client.get("/login/").content.decode()
