"""A worker killed between sending and marking sent: the mail goes out again with the same
Message-ID and the same content — never two different mails.

Everything runs in separate processes against a scratch database (a file on SQLite, a throw-away
database on PostgreSQL): the real ``charterdesk db_worker`` sends the reply to the real SMTP sink,
and the sink SIGKILLs the worker the moment it has the mail, before it answers "250" — so the row
is left ``sending``.  ``charterdesk outbox send-pending`` then reclaims it (lease 0 here; 10 minutes
by default) and sends it again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dj_database_url
import pytest
from django.conf import settings

from tests.support.smtp_sink import Received, SmtpSink

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CHARTERDESK = str(Path(sys.executable).with_name("charterdesk"))


@pytest.fixture
def scratch_database(tmp_path) -> Iterator[str]:
    """A DATABASE_URL of an empty database of the same kind as the test run's, migrated."""
    default = settings.DATABASES["default"]
    if default["ENGINE"] == "django.db.backends.postgresql":
        import psycopg

        name = f"{default['NAME']}_crash".removeprefix("test_")
        admin_url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"
    else:
        name = ""
        url = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    assert dj_database_url.parse(url)["NAME"]
    _run(["migrate", "--skip-checks", "-v", "0"], url)
    try:
        yield url
    finally:
        if name:
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(url: str, sink: SmtpSink | None = None) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    if sink is not None:
        env.update(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST=sink.host,
            EMAIL_PORT=str(sink.port),
        )
    return env


def _run(args: list[str], url: str, sink: SmtpSink | None = None) -> str:
    done = subprocess.run(
        [CHARTERDESK, *args],
        cwd=ROOT,
        env=_env(url, sink),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _scenario(args: list[str], url: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.outbox.crash_scenario", *args],
        cwd=ROOT,
        env=_env(url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_crash_between_send_and_mark_resends_the_same_mail(scratch_database):
    url = scratch_database
    written = _scenario(["setup"], url)
    sink = SmtpSink().start()
    try:
        worker = subprocess.Popen(
            [
                CHARTERDESK,
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--no-reload",
                "--queue-name",
                "*",
                "-v",
                "0",
            ],
            cwd=ROOT,
            env=_env(url, sink),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

        def kill_the_worker(item: Received) -> None:
            if item.message["Message-ID"] == written["message_id"] and worker.poll() is None:
                os.kill(worker.pid, signal.SIGKILL)

        sink.on_message = kill_the_worker
        assert worker.wait(timeout=60) == -signal.SIGKILL
        sink.on_message = None
        [first] = sink.wait_for(1)
        assert first["Message-ID"] == written["message_id"]

        crashed = _scenario(["state", str(written["outbox_id"])], url)
        assert crashed["state"] == "sending" and crashed["attempts"] == 1

        # A fresh worker leaves it alone (the killed worker's task is gone with it) …
        _run(["db_worker", "--batch", "--no-startup-delay", "--no-reload", "-v", "0"], url, sink)
        assert len(sink.messages) == 1
        # … the sweep takes it back after the lease and sends the stored mail again.
        out = _run(["outbox", "send-pending", "--lease", "0"], url, sink)
        assert out.strip() == "sent: 1"
        first, second = sink.wait_for(2)
        after = _scenario(["state", str(written["outbox_id"])], url)
        assert after["state"] == "sent" and after["attempts"] == 2

        # The same mail twice, never two different mails.
        assert second["Message-ID"] == first["Message-ID"] == written["message_id"]
        for header in ("Subject", "Date", "From", "To", "Content-Language"):
            assert first[header] == second[header]
        for kind in ("plain", "html"):
            assert (
                first.get_body(preferencelist=(kind,)).get_content()
                == second.get_body(preferencelist=(kind,)).get_content()
            )
        # and nothing sends it a third time
        assert _run(["outbox", "send-pending", "--lease", "0"], url, sink).strip() == "nothing due"
        assert len(sink.messages) == 2
    finally:
        sink.stop()
