"""Server time of the compliance report over 1,000,000 cases and 5,000,000 events on PostgreSQL.

Run (PostgreSQL on 127.0.0.1:5432, trust auth)::

    .venv/bin/python bench/reports_compliance.py --generate   # (re)create cd_reports_bench, fill it
    .venv/bin/python bench/reports_compliance.py              # measure on the existing data

What ``--generate`` writes, with ``COPY`` through ``charterdesk.core.bulk.copy_insert`` in chunks:
50 employees in 5 teams, 10 programmes, 5 offices, 50,000 clients, N cases (default 1,000,000)
spread over 2026-01-01 … 2026-11-30 on every channel, five events per case (``case.opened``,
``message.received``, ``case.assigned``, ``reply.sent``, ``case.resolved``: 5,000,000 events) and
two timers per case (``EMAIL-ACK`` and ``EMAIL-REPLY-1BD``: 2,000,000 timers) with a mix of
kept (85 %), kept by explanation (7 %), broken (7 %) and still running (1 %).

Then count the stored cubes of the finished days once (as the nightly job does)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cd_reports_bench .venv/bin/charterdesk reports cubes

What it measures (in-process, the report's own functions, ``DEBUG`` off, warm, best and median of
``--runs``): the month report (every commitment: rate, counts, splits by channel, office,
programme and employee, satisfaction, and the trend over the year so far), the year report —
both as a reader gets them (``compliance_report``: stored day cubes plus today counted live) —
the drill-down of one figure (the first page of the broken cases of one commitment in one month,
and of one employee's), and once, for comparison, the month counted entirely live from the
timers (``compute_report``).

The figures are written to docs/reports.md by hand, with the date and the machine's load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SERVER = "postgres://postgres@127.0.0.1:5432"
DB = "cd_reports_bench"
CHANNELS = ["email", "email", "email", "phone", "in_person", "post", "portal"]


def recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def generate(n: int, chunk: int = 20_000) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from charterdesk.cases.models import Case, CaseEvent
    from charterdesk.clients.models import Client
    from charterdesk.core.bulk import copy_insert
    from charterdesk.directory.models import Employee, Institution, Office, Programme, Team
    from charterdesk.sla.models import Timer

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    Institution.objects.create(
        name_lv="Attīstības finanšu institūcija Altum",
        name_en="Development Finance Institution Altum",
        short_name="ALTUM",
        general_phone="+37167774010",
        general_email="altum@altum.lv",
        postal_address="Doma laukums 4, Rīga, LV-1050",
    )
    programmes = [
        Programme.objects.create(
            code=f"p{i}", name_lv=f"Programma {i}", name_en=f"Programme {i}", category="loan"
        ).pk
        for i in range(10)
    ]
    offices = [
        Office.objects.create(
            code=f"o{i}", name_lv=f"Birojs {i}", name_en=f"Office {i}", address="Rīga"
        ).pk
        for i in range(5)
    ]
    teams = [Team.objects.create(name_lv=f"Komanda {i}", name_en=f"Team {i}") for i in range(5)]
    User = get_user_model()
    employees: list[tuple[int, int]] = []
    for i in range(50):
        user = User.objects.create_user(username=f"bench{i}", password="bench-pass-123")
        emp = Employee.objects.create(
            user=user,
            first_name=f"Darbinieks{i}",
            surname=f"Uzvārds{i}",
            position_lv="Konsultants",
            phone="+37167774000",
            email=f"bench{i}@altum.lv",
            team=teams[i % 5],
        )
        employees.append((emp.pk, teams[i % 5].pk))
    for i, team in enumerate(teams):
        team.lead_id = employees[i][0]
        team.save()
    clients = [
        Client(kind="person", name=f"Klients {i}", email=f"client{i}@example.lv")
        for i in range(50_000)
    ]
    with transaction.atomic():
        copy_insert(clients, with_pks=True)
    client_ids = [c.pk for c in clients]
    start = datetime(2026, 1, 1, 7, tzinfo=UTC)
    span = (datetime(2026, 11, 30, 15, tzinfo=UTC) - start).total_seconds()
    print(f"  directory + clients: {time.perf_counter() - t0:.0f} s", flush=True)
    done = 0
    while done < n:
        t = time.perf_counter()
        size = min(chunk, n - done)
        cases = []
        for j in range(done, done + size):
            at = start + timedelta(seconds=(j * span / n))
            emp, team = employees[(j * 31) % 50]
            cases.append(
                Case(
                    reference=f"BEN-2026-{j:07d}",
                    subject=f"Jautājums {j % 997}",
                    client_id=client_ids[(j * 7919) % len(client_ids)],
                    programme_id=None if j % 8 == 0 else programmes[j % 10],
                    office_id=offices[j % 5] if j % 5 == 3 else None,
                    channel=CHANNELS[j % 7],
                    status="resolved",
                    assignee_id=emp,
                    team_id=team,
                    created_at=at,
                    updated_at=at,
                )
            )
        with transaction.atomic():
            copy_insert(cases, with_pks=True)
            events = []
            timers = []
            for j, case in enumerate(cases, start=done):
                at = case.created_at
                outcome = j % 100
                answer = at + timedelta(hours=3 if outcome < 92 else 40)
                for k, etype in enumerate(
                    ("case.opened", "message.received", "case.assigned", "reply.sent")
                ):
                    events.append(
                        CaseEvent(
                            case_id=case.pk,
                            type=etype,
                            at=at + timedelta(minutes=k) if k < 3 else answer,
                            params={"channel": case.channel},
                        )
                    )
                events.append(
                    CaseEvent(case_id=case.pk, type="case.resolved", at=answer, params={})
                )
                for cid, due in (
                    ("EMAIL-ACK", at + timedelta(hours=8)),
                    ("EMAIL-REPLY-1BD", at + timedelta(days=1)),
                ):
                    timer = Timer(
                        case_id=case.pk,
                        commitment_id=cid,
                        started_at=at,
                        due_at=due,
                        computed_with="bench",
                    )
                    if outcome == 99:
                        timer.status = "open"
                        timer.next_check_at = due
                    elif outcome >= 92:
                        timer.status = "breached"
                        timer.breached_at = due
                        timer.met_at = answer
                        timer.kept_by = "answer"
                        timer.stopped_by = "reply.sent"
                    elif outcome >= 85 and cid == "EMAIL-REPLY-1BD":
                        timer.status = "met"
                        timer.explained_at = at + timedelta(hours=2)
                        timer.kept_by = "explanation"
                        timer.stopped_by = "delay.explained"
                    else:
                        timer.status = "met"
                        timer.met_at = answer
                        timer.kept_by = "answer"
                        timer.stopped_by = "reply.sent"
                    timers.append(timer)
            copy_insert(events)
            copy_insert(timers)
        done += size
        print(
            f"  {done:,} cases ({len(events) * done // size:,} events so far), "
            f"chunk {time.perf_counter() - t:.1f} s",
            flush=True,
        )
    connection.close()
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        t = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        print(f"  VACUUM ANALYZE: {time.perf_counter() - t:.1f} s", flush=True)
    print(f"  generated {n:,} cases in {time.perf_counter() - t0:.0f} s", flush=True)


def timed(fn, runs: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    fn()  # warm
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return min(times), statistics.median(times)


def measure(runs: int) -> None:
    from charterdesk.directory.models import Employee
    from charterdesk.reports.drilldown import drilldown
    from charterdesk.reports.figures import Period, Scope, compliance_report, compute_report

    scope = Scope.everything()
    nov = Period.month_of(2026, 11)
    year = Period.year_of(2026)
    emp = Employee.objects.order_by("pk").first()
    assert emp is not None
    scenarios = {
        "month report (Nov 2026, all)": lambda: compliance_report(period=nov, scope=scope),
        "year report (2026, all)": lambda: compliance_report(period=year, scope=scope),
        "drill-down: broken EMAIL-REPLY-1BD, Nov": lambda: drilldown(
            commitment_id="EMAIL-REPLY-1BD", period=nov, scope=scope, outcome="broken"
        ),
        "drill-down: one employee's kept, Nov": lambda: drilldown(
            commitment_id="EMAIL-REPLY-1BD",
            period=nov,
            scope=scope,
            outcome="kept",
            dimension="employee",
            value=str(emp.pk),
        ),
    }
    for label, fn in scenarios.items():
        best, median = timed(fn, runs)
        print(f"{label:45s} best {best:8.1f} ms   median {median:8.1f} ms", flush=True)
    t = time.perf_counter()
    compute_report(period=nov, scope=scope)
    print(
        f"{'month counted live from the timers (once)':45s} {(time.perf_counter() - t) * 1000:8.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--generate", action="store_true")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", default=DB)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"{SERVER}/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if args.generate:
        recreate_database(args.db)
    import django

    django.setup()
    if args.generate:
        generate(args.cases)
    else:
        measure(args.runs)


if __name__ == "__main__":
    main()
