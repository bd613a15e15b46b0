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


def test_single_sign_on_is_configured_from_the_environment(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "CHARTERDESK_VAR_DIR": str(tmp_path),
            "CHARTERDESK_OIDC_CLIENT_ID": "desk",
            "CHARTERDESK_OIDC_CLIENT_SECRET": "s3cret",
            "CHARTERDESK_OIDC_AUTHORIZATION_ENDPOINT": "https://id.altum.example/authorize",
            "CHARTERDESK_OIDC_TOKEN_ENDPOINT": "https://id.altum.example/token",
            "CHARTERDESK_OIDC_USERINFO_ENDPOINT": "https://id.altum.example/userinfo",
            "CHARTERDESK_OIDC_JWKS_ENDPOINT": "https://id.altum.example/jwks",
        }
    )
    code = (
        "from django.conf import settings as s; print(s.CHARTERDESK_OIDC, s.OIDC_RP_CLIENT_ID, "
        "s.OIDC_RP_SIGN_ALGO, s.OIDC_OP_JWKS_ENDPOINT, s.OIDC_CREATE_USER, s.OIDC_USE_PKCE); "
        "print(*s.AUTHENTICATION_BACKENDS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.splitlines()
    assert first == "True desk RS256 https://id.altum.example/jwks False True"
    assert second.split() == BACKENDS
