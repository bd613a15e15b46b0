"""What the outbox costs: the write inside the reply's transaction, and sending to an SMTP server.

Run:  .venv/bin/python bench/outbox_send.py [--url postgres://postgres@127.0.0.1:5432/cd_bench_outbox]
          [--replies 300]

Without ``--url`` a throw-away SQLite file is used.  A PostgreSQL bench database is dropped and
re-created.  The script migrates it, makes an institution, an employee and e-mail cases through the
real services, then:

1. times ``case_reply`` on e-mail cases ``--replies`` times with the outbox listener registered
   (identity block, subject, headers, both bodies, the outbox row) and as many times without it,
   and prints the median and 95th percentile of each and the difference: the outbox's share of a
   reply;
2. sends the pending rows through Django's SMTP backend to an aiosmtpd server on localhost (one
   SMTP connection per mail, as the task does) with ``outbox_send_pending`` and prints mails per
   second.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def recreate(url: str) -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="")
    parser.add_argument("--replies", type=int, default=300)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="cd_bench_outbox_")
    url = args.url or f"sqlite:///{tmp}/bench.sqlite3"
    if url.startswith("postgres"):
        recreate(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    subprocess.run(
        [sys.executable, "-m", "charterdesk", "migrate", "-v", "0", "--skip-checks"],
        cwd=REPO,
        check=True,
        env=os.environ,
    )

    import django

    django.setup()
    from django.conf import settings

    from charterdesk.assembly.route import ROUTE
    from charterdesk.cases.recording import install_route
    from charterdesk.cases.services import case_add_message, case_open, case_reply
    from charterdesk.outbox.models import OutboxMessage
    from charterdesk.outbox.services import outbox_send_pending
    from tests.factories import make_client, make_employee, make_institution
    from tests.support.smtp_sink import SmtpSink

    make_institution()
    anna = make_employee("Anna", "Bērziņa")
    cases = []
    for n in range(20):
        case = case_open(
            client=make_client(email=f"bench{n}@example.lv"),
            channel="email",
            subject=f"Jautājums {n}",
            assignee=anna,
        )
        case_add_message(
            case=case,
            direction="in",
            kind="request",
            body="Labdien!",
            channel="email",
            message_id=f"<bench-{n}@example.lv>",
        )
        cases.append(case)

    def timed_replies(count: int) -> list[float]:
        times = []
        for i in range(count):
            case = cases[i % len(cases)]
            started = time.perf_counter()
            case_reply(case=case, by=anna, body=f"Atbilde nr. {i}\n\nAr labiem vēlējumiem.")
            times.append((time.perf_counter() - started) * 1000)
        return times

    timed_replies(20)  # warm-up (with the outbox)
    OutboxMessage.objects.all().delete()
    install_route([step for step in ROUTE if step.name != "outbox"])
    without = timed_replies(args.replies)
    install_route(ROUTE)
    with_outbox = timed_replies(args.replies)
    engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"database: {engine}; replies: {args.replies} each")
    for label, values in (("without outbox", without), ("with outbox", with_outbox)):
        print(
            f"  case_reply {label:15}: median {statistics.median(values):6.2f} ms, "
            f"p95 {percentile(values, 0.95):6.2f} ms"
        )
    print(
        f"  outbox share (median): {statistics.median(with_outbox) - statistics.median(without):.2f} ms"
    )

    sink = SmtpSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = sink.host, sink.port
    pending = OutboxMessage.objects.filter(state="pending").count()
    started = time.perf_counter()
    counts = outbox_send_pending()
    elapsed = time.perf_counter() - started
    sink.wait_for(pending, timeout=60)
    sink.stop()
    print(
        f"  sent {counts.get('sent', 0)} of {pending} through SMTP in {elapsed:.2f} s: "
        f"{pending / elapsed:.0f} mails/s (one connection per mail)"
    )


if __name__ == "__main__":
    main()
