"""The crash test: ``charterdesk email import`` of 2,000 messages, killed with SIGKILL at random
moments and restarted until it finishes.  Every message must be taken in exactly once: no message
lost or doubled, no case lost or doubled, no timer or outbox row doubled.

The worker runs as a real subprocess against its own database (created and migrated here), so the
kills hit real transactions of a real server; the result is checked with plain SQL."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.email.messages import build

ROOT = Path(__file__).resolve().parents[2]
CHARTERDESK = [sys.executable, "-m", "charterdesk"]
MESSAGES = 2000


def _maildir(path: Path) -> dict[str, int]:
    """2,000 messages in threads of 1-3 (replies by In-Reply-To); returns thread sizes by the
    subject of the first message."""
    for sub in ("cur", "new", "tmp"):
        (path / sub).mkdir(parents=True)
    rng = random.Random(20261125)
    threads: dict[str, int] = {}
    n = 0
    thread = 0
    while n < MESSAGES:
        thread += 1
        size = min(rng.choice((1, 1, 2, 3)), MESSAGES - n)
        subject = f"Pieteikums {thread}"
        threads[subject] = size
        previous = None
        for k in range(size):
            message_id = make_msgid(domain="example.lv")
            raw = build(
                sender=f"Klients {thread} <klients{thread}@example.lv>",
                subject=subject if k == 0 else f"Re: {subject}",
                body=f"Ziņa {k + 1} pieteikumā {thread}. Lūdzu, atbildiet.",
                message_id=message_id,
                in_reply_to=previous,
                attachments=[("izziņa.pdf", "application/pdf", b"%PDF-1.4 " + bytes([n % 256]))]
                if n % 5 == 0
                else None,
            )
            (path / "cur" / f"{1795000000 + n}.M{n}.crash:2,").write_bytes(raw)
            previous = message_id
            n += 1
    return threads


class Database:
    """A database of its own for the subprocesses (the test database is in a transaction)."""

    def __init__(self, tmp: Path, number: int = 1) -> None:
        self.vendor = connection.vendor
        if self.vendor == "postgresql":
            s = connection.settings_dict
            self.name = f"{s['NAME']}_crash{number}"
            self.admin = dict(
                host=s["HOST"] or "127.0.0.1",
                port=s["PORT"] or 5432,
                user=s["USER"],
                password=s["PASSWORD"] or None,
            )
            self.url = (
                f"postgres://{s['USER']}{':' + s['PASSWORD'] if s['PASSWORD'] else ''}@"
                f"{self.admin['host']}:{self.admin['port']}/{self.name}"
            )
        else:
            self.path = tmp / f"crash{number}.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def _pg(self, dbname: str) -> Any:
        import psycopg

        return psycopg.connect(dbname=dbname, autocommit=True, **self.admin)

    def create(self) -> None:
        if self.vendor == "postgresql":
            with closing(self._pg("postgres")) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.vendor == "postgresql":
            with closing(self._pg("postgres")) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.vendor == "postgresql":
            with closing(self._pg(self.name)) as conn:
                return list(conn.execute(sql).fetchall())
        with closing(sqlite3.connect(self.path)) as conn:
            return list(conn.execute(sql).fetchall())

    def progress(self) -> int:
        """Messages stored plus messages processed (0 … 2 × MESSAGES); 0 before the tables
        exist or while a writer holds SQLite's lock."""
        try:
            [(stored, processed)] = self.query(
                "SELECT COUNT(*), COUNT(*) FILTER (WHERE state <> 'stored') "
                "FROM email_channel_inboundemail"
            )
        except Exception:
            return -1
        return int(stored) + int(processed)

    def tables(self) -> set[str]:
        if self.vendor == "postgresql":
            rows = self.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        else:
            rows = self.query("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {r[0] for r in rows}


def _kill_at(
    worker: subprocess.Popen[bytes], db: Database, target: int, startup: float | None
) -> bool:
    """SIGKILL ``worker`` (its whole group: the processing process too) once the work reaches
    ``target`` or, with ``startup``, after that many seconds; False if it finished first."""
    started = time.monotonic()
    while worker.poll() is None:
        if startup is not None:
            hit = time.monotonic() - started >= startup
        else:
            hit = db.progress() >= target
        if hit:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
            return True
        time.sleep(0.01)
    return False


def _check_exactly_once(db: Database, threads: dict[str, int]) -> None:
    """Every message taken in once: no message, case, timer or outbox row lost or doubled."""
    states = dict(db.query("SELECT state, COUNT(*) FROM email_channel_inboundemail GROUP BY state"))
    reasons = db.query(
        "SELECT reason, MIN(error), COUNT(*) FROM email_channel_inboundemail "
        "WHERE state <> 'processed' GROUP BY reason"
    )
    assert states == {"processed": MESSAGES}, (states, reasons)
    [(inbound, distinct)] = db.query(
        "SELECT COUNT(*), COUNT(DISTINCT message_id) FROM cases_message WHERE direction = 'in'"
    )
    assert inbound == distinct == MESSAGES
    [(cases,)] = db.query("SELECT COUNT(*) FROM cases_case")
    assert cases == len(threads)
    sizes = dict(
        db.query(
            "SELECT c.subject, COUNT(m.id) FROM cases_case c JOIN cases_message m "
            "ON m.case_id = c.id AND m.direction = 'in' GROUP BY c.id, c.subject"
        )
    )
    assert sizes == threads
    [(opened,)] = db.query("SELECT COUNT(*) FROM cases_caseevent WHERE type = 'case.opened'")
    assert opened == cases
    [(attachments,)] = db.query("SELECT COUNT(*) FROM cases_attachment")
    assert attachments == MESSAGES // 5
    tables = db.tables()
    if "sla_timer" in tables:
        assert (
            db.query(
                "SELECT message_id, commitment_id FROM sla_timer WHERE message_id IS NOT NULL "
                "GROUP BY message_id, commitment_id HAVING COUNT(*) > 1"
            )
            == []
        )
    if "outbox_outboxmessage" in tables:
        assert (
            db.query(
                "SELECT case_message_id FROM outbox_outboxmessage "
                "GROUP BY case_message_id HAVING COUNT(*) > 1"
            )
            == []
        )
        assert (
            db.query(
                "SELECT answers_id, kind FROM outbox_outboxmessage WHERE answers_id IS NOT NULL "
                "GROUP BY answers_id, kind HAVING COUNT(*) > 1"
            )
            == []
        )


def _round(tmp_path: Path, threads: dict[str, int], number: int, rng: random.Random) -> int:
    """One database: import, killed at random points of the work, restarted until it finishes;
    then the checks.  Returns how many kills happened."""
    db = Database(tmp_path, number)
    db.create()
    env = {
        **os.environ,
        "DATABASE_URL": db.url,
        "CHARTERDESK_VAR_DIR": str(tmp_path / f"var{number}"),
        "DEBUG": "0",
        "LOG_LEVEL": "ERROR",
        # 2,000 clients of one domain within the hour: not a flood to hold here.
        "CHARTERDESK_EMAIL_DOMAIN_RATE_LIMIT_COUNT": "0",
    }
    try:
        subprocess.run([*CHARTERDESK, "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=120)
        kills, runs = 0, 0
        deadline = time.monotonic() + 150
        while True:
            assert time.monotonic() < deadline, f"not finished after {runs} runs ({kills} kills)"
            runs += 1
            worker = subprocess.Popen(
                [*CHARTERDESK, "email", "import", str(tmp_path / "Maildir")],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
            # The first runs are killed at a random point of the work, whatever the machine's
            # speed: a random number of messages stored-or-processed beyond where this run
            # started (each message counts once stored and once processed), or now and then
            # during start-up.  Later runs are left to finish.
            done = max(db.progress(), 0)
            if runs <= 8 and done < 2 * MESSAGES - 1:
                target = done + rng.randint(1, 2 * MESSAGES - 1 - done)
                early = rng.random() < 0.2
                if _kill_at(worker, db, target, startup=rng.uniform(0.1, 0.6) if early else None):
                    kills += 1
                    continue
            try:
                worker.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                raise
            assert worker.returncode == 0, worker.stderr.read().decode() if worker.stderr else ""
            break
        _check_exactly_once(db, threads)
        print(f"round {number}: {kills} kills in {runs} runs")  # shown with pytest -s
        return kills
    finally:
        db.drop()


@pytest.mark.slow
@pytest.mark.django_db
def test_sigkill_at_random_points_loses_and_doubles_nothing(tmp_path):
    """Rounds on fresh databases until at least three kills happened in all (a fast machine can
    finish a round after one or two); every round must end with every message exactly once."""
    threads = _maildir(tmp_path / "Maildir")
    rng = random.Random()
    kills = 0
    for number in range(1, 6):
        kills += _round(tmp_path, threads, number, rng)
        if kills >= 3:
            break
    assert kills >= 3, f"only {kills} kills in five rounds; the test proved little"
