"""The Tasks API end to end: a task enqueued here runs in a real ``db_worker`` process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from charterdesk.core.tasks import heartbeat

REPO = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    host = s.get("HOST") or "127.0.0.1"
    return f"postgres://{s.get('USER') or 'postgres'}@{host}:{s.get('PORT') or 5432}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_task_runs_in_a_real_worker_process():
    result = heartbeat.enqueue(note="hello")
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == "READY"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "charterdesk",
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
        ],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL", (row.status, done.stderr)
    assert row.return_value["note"] == "hello"
    assert row.return_value["ran_at"]
