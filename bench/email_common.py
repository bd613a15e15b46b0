"""Shared steps of the e-mail benchmarks: a fresh PostgreSQL database, the timed command, checks.

Not a benchmark itself; see ``email_import.py`` and ``email_imap.py``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHARTERDESK = str(ROOT / ".venv" / "bin" / "charterdesk")
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def database_url(name: str) -> str:
    return f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{name}"


def compile_bytecode() -> None:
    """Write the project's bytecode (``__pycache__``), as installing the package does.  The
    project machine sets ``PYTHONDONTWRITEBYTECODE``, so without this every timed command compiled
    the ~170 modules it imports from source: ~0.1 s of CPU a deployed command does not spend."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "charterdesk"), str(ROOT / "config")],
        check=True,
    )


def fresh_database(name: str) -> dict[str, str]:
    """Drop and create ``name``, migrate it, load the default configuration and give four
    programmes their own mailbox addresses.  Returns the environment for the commands.  The
    project's bytecode is written first (``compile_bytecode``)."""
    import psycopg

    compile_bytecode()

    with closing(psycopg.connect(dbname="postgres", autocommit=True, **PG)) as conn:  # type: ignore[arg-type]
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": database_url(name), "DEBUG": "0", "LOG_LEVEL": "ERROR"}
    # The corpus's thousands of clients share one domain: no limit per sending domain here.
    env["CHARTERDESK_EMAIL_DOMAIN_RATE_LIMIT_COUNT"] = "0"
    subprocess.run([CHARTERDESK, "migrate", "-v0"], env=env, check=True)
    subprocess.run([CHARTERDESK, "loadconfig"], env=env, check=True, stdout=subprocess.DEVNULL)
    sys.path.insert(0, str(ROOT / "bench"))
    from email_corpus import PROGRAMME_ADDRESSES

    sql = "; ".join(
        f"UPDATE directory_programme SET public_email = '{address}' WHERE code = '{code}'"
        for code, address in PROGRAMME_ADDRESSES
    )
    with closing(psycopg.connect(dbname=name, autocommit=True, **PG)) as conn:  # type: ignore[arg-type]
        conn.execute(sql)
    return env


LAST_CPU = [0.0]


def timed(command: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Run ``command`` under ``/usr/bin/time -v``: wall seconds, peak RSS in MB, its output."""
    started = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-v", *command], env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    peak = int(match.group(1)) // 1024 if match else -1
    cpu = sum(
        float(m.group(1))
        for m in re.finditer(r"(?:User|System) time \(seconds\): ([\d.]+)", done.stderr)
    )
    LAST_CPU[0] = cpu  # the command and the processes it waited for
    return seconds, peak, done.stdout


def run_split(
    command: list[str], env: dict[str, str], messages: int, *, store_only: bool, label: str
) -> None:
    """Time storing (``command --no-process``) and then processing apart, and print both rates;
    with ``store_only``, only the first.  ``label`` names the storing step."""
    stored, peak_store, _out = timed([*command, "--no-process"], env)
    print(f"{label}: {messages / stored:.0f} messages/s ({stored:.1f} s, peak RSS {peak_store} MB)")
    if store_only:
        return
    processed, peak_process, _out = timed([CHARTERDESK, "email", "process"], env)
    print(
        f"process only: {messages / processed:.0f} messages/s ({processed:.1f} s, "
        f"peak RSS {peak_process} MB)"
    )


def counts(name: str) -> dict[str, Any]:
    import psycopg

    with closing(psycopg.connect(dbname=name, **PG)) as conn:  # type: ignore[arg-type]
        states = dict(
            conn.execute(
                "SELECT state, COUNT(*) FROM email_channel_inboundemail GROUP BY state"
            ).fetchall()
        )
        reasons = dict(
            conn.execute(
                "SELECT reason, COUNT(*) FROM email_channel_inboundemail "
                "WHERE state = 'quarantined' GROUP BY reason"
            ).fetchall()
        )
        (cases,) = conn.execute("SELECT COUNT(*) FROM cases_case").fetchone()  # type: ignore[misc]
        (messages,) = conn.execute(  # type: ignore[misc]
            "SELECT COUNT(*) FROM cases_message WHERE direction = 'in'"
        ).fetchone()
        (attachments,) = conn.execute("SELECT COUNT(*) FROM cases_attachment").fetchone()  # type: ignore[misc]
    return {
        "states": states,
        "reasons": reasons,
        "cases": cases,
        "messages": messages,
        "attachments": attachments,
    }


def report(
    label: str,
    count: int,
    seconds: float,
    peak: int,
    found: dict[str, Any],
    manifest: dict[str, int],
) -> None:
    print(
        f"{label}: {count} messages in {seconds:.1f} s = {count / seconds:.0f} messages/s, "
        f"CPU {LAST_CPU[0]:.1f} s, peak RSS {peak} MB"
    )
    print(f"  states {found['states']} quarantine {found['reasons'] or '{}'}")
    print(
        f"  cases {found['cases']}, inbound messages {found['messages']}, "
        f"attachments kept {found['attachments']} of {manifest['attachments']}"
    )
    if found["attachments"] != manifest["attachments"]:
        print("  ATTACHMENTS MISSING")
    print(
        f"  machine state: the parser takes {parser_reference():.3f} ms per message now; "
        f"load average {os.getloadavg()[0]:.2f}"
    )


def parser_reference(limit: int = 2000) -> float:
    """``bench/email_parse.py`` in short, as a yardstick of the machine's speed at this moment
    (on the project machine it varied 0.27-0.59 ms within an hour); printed beside each figure."""
    sys.path.insert(0, str(ROOT))
    from email_corpus import write

    from charterdesk.channels.email.parsing.message import parse_message

    source = Path("/tmp/cd-bench-email-10000-1.0")
    if not (source / "manifest.json").exists():
        write(10_000, source, mbox=False, scale=1.0)
    raws = [f.read_bytes() for f in sorted((source / "cur").iterdir())[:limit]]
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        for raw in raws:
            parse_message(raw)
        best = min(best, time.perf_counter() - started)
    return 1000 * best / len(raws)
