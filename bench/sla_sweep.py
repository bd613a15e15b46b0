"""The sweep over 1,000,000 open timers in PostgreSQL: finding the due ones through the index.

Run:  .venv/bin/python bench/sla_sweep.py [--url postgres://postgres@127.0.0.1:5432/cd_bench_sla]
          [--timers 1000000] [--due 10000] [--keep]

Re-creates the bench database (unless ``--keep`` and it is already filled), migrates it, makes
200 cases through the real services, COPYs ``--timers`` open timers (``--due`` of them with a
pending moment in the past, the rest within the next 10 days) plus 500,000 closed ones (no pending
moment, so not in the partial index), ANALYZEs, then:

1. times the sweep's query (``Timer.objects.filter(next_check_at__lte=now)``, ids in pending
   order) five times and prints the best and the median, with PostgreSQL's EXPLAIN ANALYZE (the
   plan must be an index scan on ``timer_pending``);
2. times ``timer_check`` on 500 of the due timers (breach + CaseEvent + notifications each), to
   show what processing costs per timer.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def recreate(url: str) -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    subprocess.run(
        [sys.executable, "-m", "charterdesk", "migrate", "-v0", "--skip-checks"],
        env=env,
        cwd=REPO,
        check=True,
    )


def fill(n_open: int, n_due: int, n_closed: int) -> None:
    from django.db import connection

    from charterdesk.cases.services import case_open
    from charterdesk.clients.services import client_create
    from charterdesk.directory.models import Team
    from tests.factories import make_employee

    team = Team.objects.create(name_lv="Komanda", name_en="Team")
    lead = make_employee("Laura", "Vadītāja", team=team)
    team.lead = lead
    team.save()
    agent = make_employee("Anna", "Bērziņa", team=team)
    case_ids = [
        case_open(
            client=client_create(name=f"Klients {i}", email=f"k{i}@example.lv"),
            channel="email",
            subject=f"Jautājums {i}",
            assignee=agent,
        ).pk
        for i in range(200)
    ]
    now = datetime.now(UTC)
    began = time.perf_counter()
    columns = (
        "case_id, commitment_id, status, started_at, due_at, warn_at, owed_at, next_check_at, "
        "kept_by, stopped_by, computed_with, created_at"
    )
    chunk = 200_000
    with connection.cursor() as cursor:
        raw = cursor.connection
        total = n_open + n_closed
        for offset in range(0, total, chunk):
            buf = io.StringIO()
            for i in range(offset, min(total, offset + chunk)):
                case_id = case_ids[i % len(case_ids)]
                started = now - timedelta(minutes=i % 5000)
                if i < n_open:
                    if i < n_due:
                        pending = now - timedelta(seconds=1 + i % 3600)
                    else:
                        pending = now + timedelta(seconds=60 + (i * 7919) % (10 * 86400))
                    row = (
                        case_id,
                        "EMAIL-REPLY-1BD",
                        "open",
                        started,
                        pending,
                        "\\N",
                        "\\N",
                        pending,
                        "",
                        "",
                    )
                else:
                    row = (
                        case_id,
                        "EMAIL-ACK",
                        "met",
                        started,
                        started,
                        "\\N",
                        "\\N",
                        "\\N",
                        "answer",
                        "reply.sent",
                    )
                buf.write(
                    "\t".join(str(v) if not isinstance(v, datetime) else v.isoformat() for v in row)
                )
                buf.write(f"\tbench\t{now.isoformat()}\n")
            with raw.cursor().copy(f"COPY sla_timer ({columns}) FROM STDIN") as copy:
                copy.write(buf.getvalue())
        cursor.execute("ANALYZE sla_timer")
    print(
        f"generated {n_open:,} open timers ({n_due:,} due) and {n_closed:,} closed ones "
        f"in {time.perf_counter() - began:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgres://postgres@127.0.0.1:5432/cd_bench_sla")
    parser.add_argument("--timers", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--closed", type=int, default=500_000)
    parser.add_argument("--keep", action="store_true", help="reuse a filled bench database")
    args = parser.parse_args()
    if not args.keep:
        recreate(args.url)
    os.environ["DATABASE_URL"] = args.url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from charterdesk.sla.checks import timer_check
    from charterdesk.sla.models import Timer

    if not args.keep or not Timer.objects.exists():
        fill(args.timers, args.due, args.closed)
    now = timezone.now()
    query = (
        Timer.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("pk", flat=True)
    )
    times = []
    found: list[int] = []
    for _ in range(5):
        began = time.perf_counter()
        found = list(query.all())  # a fresh queryset each time (no result cache)
        times.append(time.perf_counter() - began)
    pending = Timer.objects.filter(next_check_at__isnull=False).count()
    print(
        f"sweep query over {pending:,} timers with a pending moment: {len(found):,} due found; "
        f"best {min(times) * 1000:.1f} ms, median {statistics.median(times) * 1000:.1f} ms"
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        for (line,) in cursor.fetchall():
            print("  " + line)
    sample = found[:500]
    began = time.perf_counter()
    for timer_id in sample:
        timer_check(timer_id, now)
    elapsed = time.perf_counter() - began
    print(
        f"timer_check on {len(sample)} due timers (breach, event, 2 notifications each): "
        f"{elapsed:.2f} s, {len(sample) / elapsed:,.0f} timers/s"
    )


if __name__ == "__main__":
    main()
