"""Production mode: the security settings, ``check --deploy`` clean, the CSP on every page and
``sandbox`` on downloads, the demo refused, and configuration errors as one line with exit 2.

The console script runs for real in a subprocess, as an operator would start it."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

REPO = Path(__file__).resolve().parents[2]
CONSOLE = shutil.which("charterdesk", path=str(Path(sys.executable).parent)) or "charterdesk"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG"}}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update({"CHARTERDESK_VAR_DIR": str(tmp_path / "var"), **extra})
    return env


def _production(tmp_path: Path, **extra: str) -> dict[str, str]:
    return _env(
        tmp_path,
        CHARTERDESK_PRODUCTION="1",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/cd_never_used",
        ALLOWED_HOSTS="desk.altum.example",
        **extra,
    )


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CONSOLE, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_in_production_mode_even_with_debug_asked_for(tmp_path):
    result = run(["check", "--deploy", "--fail-level", "WARNING"], _production(tmp_path, DEBUG="1"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_PROXY_SSL_HEADER)"
    )
    env = _production(tmp_path, DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "False True True True 31536000 True ('HTTP_X_FORWARDED_PROTO', 'https')"
    )


def test_without_production_mode_check_deploy_does_complain(tmp_path):
    # The check above can fail: the embedded mode's settings are not fit for deployment.
    result = run(["check", "--deploy", "--fail-level", "WARNING"], _env(tmp_path))
    assert result.returncode != 0 and "security.W" in result.stderr + result.stdout


def test_the_demo_refuses_production_mode(tmp_path):
    result = run(["demo", "--no-serve"], _production(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "CommandError: charterdesk demo refuses to run in production mode "
        "(CHARTERDESK_PRODUCTION=1): it creates accounts with published passwords"
    ]
    assert not (tmp_path / "var" / "charterdesk.sqlite3").exists()


def test_a_missing_secret_key_is_one_line_and_exit_2(tmp_path):
    env = _production(tmp_path)
    del env["SECRET_KEY"]
    result = run(["check"], env)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "charterdesk: configuration error: SECRET_KEY must be set in production mode."
    ]
    assert "Traceback" not in result.stderr


def test_a_broken_policy_is_one_line_and_exit_2(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text("[standard\n", encoding="utf-8")
    result = run(["check"], _env(tmp_path, CHARTERDESK_POLICY=str(policy)))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"charterdesk: configuration error: The service standard policy is broken: {policy}:"
    )
    policy.write_bytes("[standard]\nname = 'Klientu apkalpošanas standarts'\n".encode("cp1257"))
    result = run(["check"], _env(tmp_path, CHARTERDESK_POLICY=str(policy)))
    assert result.returncode == 2 and "is not UTF-8 text" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_a_configuration_file_that_is_not_utf8_is_one_line_and_exit_2(tmp_path):
    config = tmp_path / "institution.toml"
    text = "[institution]\nname_lv = 'Attīstības finanšu institūcija'\n"
    config.write_bytes(text.encode("cp1257"))
    offset = text.index("ī")
    env = _env(tmp_path)
    assert run(["migrate", "--verbosity", "0"], env).returncode == 0
    result = run(["loadconfig", str(config)], env)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"CommandError: {config}: is not UTF-8 text (byte 0xee at offset {offset}); save it as UTF-8"
    ]


@pytest.mark.django_db
def test_every_page_has_the_content_security_policy(client, admin_client):
    for response in (
        client.get("/login/"),
        client.get("/en/admin/login/"),
        admin_client.get("/admin/"),
    ):
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.django_db
def test_downloads_are_sandboxed(client):
    from charterdesk.cases.models import Attachment, Message
    from tests.desk.conftest import build_office

    office = build_office()
    message = Message.objects.filter(case__isnull=False).first()
    assert message is not None
    item = Attachment(message=message, filename="evil.html", content_type="text/html", size=39)
    item.sha256 = "ab" * 32
    item.file.save("evil.html", ContentFile(b"<script>alert(document.cookie)</script>"), save=False)
    item.save()
    client.force_login(office.anna.user)
    response = client.get(f"/cases/{message.case_id}/attachments/{item.pk}/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["Content-Disposition"].startswith("attachment")
