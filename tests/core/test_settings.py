"""Settings come from the environment; production mode refuses to start without its secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run(env_extra: dict[str, str], code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "CHARTERDESK_VAR_DIR": str(tmp_path)})
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_embedded_mode_uses_sqlite_in_var_and_keeps_a_generated_secret(tmp_path):
    code = "from django.conf import settings as s; print(s.DATABASES['default']['NAME']); print(s.SECRET_KEY)"
    first = run({}, code, tmp_path)
    assert first.returncode == 0, first.stderr
    name, key = first.stdout.split()
    assert name == str(tmp_path / "charterdesk.sqlite3")
    assert len(key) >= 50 and (tmp_path / "secret_key").read_text().strip() == key
    second = run({}, code, tmp_path)
    assert second.stdout.split()[1] == key


def test_production_mode_requires_secret_key_and_database_url(tmp_path):
    no_key = run({"CHARTERDESK_PRODUCTION": "1"}, "pass", tmp_path)
    assert no_key.returncode != 0 and "SECRET_KEY must be set in production mode" in no_key.stderr
    no_db = run({"CHARTERDESK_PRODUCTION": "1", "SECRET_KEY": "x" * 50}, "pass", tmp_path)
    assert no_db.returncode != 0 and "DATABASE_URL must be set in production mode" in no_db.stderr
    ok = run(
        {
            "CHARTERDESK_PRODUCTION": "1",
            "SECRET_KEY": "x" * 50,
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/charterdesk",
        },
        "from django.conf import settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'])",
        tmp_path,
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.split() == ["False", "django.db.backends.postgresql"]
