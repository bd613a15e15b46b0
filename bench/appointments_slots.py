"""Free slots and the office's day view on PostgreSQL (targets: next 10 free slots p95 ≤ 50 ms;
day view of an office with 200 visits p95 ≤ 100 ms).

Run (PostgreSQL on 127.0.0.1:5432, trust auth; a few minutes on 2 cores)::

    .venv/bin/python bench/appointments_slots.py            # generate, then measure
    .venv/bin/python bench/appointments_slots.py --reuse    # measure the data already there

What it does:

1. (Re)creates the database ``cd_bench_appointments`` (``--db``), migrates it and writes with
   ``bulk_create``: 50 offices, each with its own working schedule (Mon–Fri 08:30–17:00; Latvian
   holidays), 500 consultants (10 per office, Mon–Thu 09:00–17:00 at their office; every fifth
   also serves the next office on Fridays), one programme all are competent for (45 min + 15 min
   after, 15-min grid, 2 h notice, 100-day horizon) and one held by every fifth consultant, and
   three months of bookings from "now" (Monday 11.01.2027 08:00): the first two weeks full, then
   every grid slot that fits taken with probability 0.7 — about 190,000 appointments, all under
   the exclusion constraint.  (They share a few cases: the slot search never reads the case.)
   The triggers of ``appointments/0005`` fill the per-day sums (``DayLoad``) as the rows are
   written; a database generated before that migration needs ``charterdesk migrate`` (which sums
   the existing rows) before ``--reuse``.  A 51st office gets 200 visits on one day (10 consultants × 20 consultations of 20 minutes, some
   arrived, started, finished, late, with special needs).
2. Times ``free_slots`` in-process (warm calendar cache, as in a running server): the next 10
   free slots for the programme across all 50 offices, at one office, and for the programme few
   consultants hold — with "now" at 11.01 (the search must read the two full weeks of 500
   consultants first) and at 25.01 (70 % booked from there on); and the day view page through Django's test client (middleware, ORM,
   template), ``DEBUG`` off.  Prints p50 / p95 / max in ms, the queries of one call, and the
   machine's load average before and after.

The figures are written to docs/appointments.md by hand, with the date and the machine.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SERVER = "postgres://postgres@127.0.0.1:5432"
RIGA = ZoneInfo("Europe/Riga")
NOW = datetime(2027, 1, 11, 8, 0, tzinfo=RIGA)
DAY_VIEW_DATE = date(2027, 1, 12)


def recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def count(name: str) -> int:
    import psycopg

    try:
        with psycopg.connect(f"{SERVER}/{name}") as conn:
            row = conn.execute("SELECT count(*) FROM appointments_appointment").fetchone()
            return int(row[0]) if row else 0
    except psycopg.Error:
        return -1


def generate() -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from charterdesk.appointments.models import Appointment, BookingRule, ConsultantPlan
    from charterdesk.calendar import get_calendar
    from charterdesk.calendar.models import Schedule, ScheduleHours
    from charterdesk.cases.services import case_open
    from charterdesk.clients.services import client_create
    from charterdesk.directory.models import Employee, Institution, Office, Programme

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    Institution.objects.create(
        name_lv="Altum",
        name_en="Altum",
        short_name="ALTUM",
        general_phone="+37167774010",
        general_email="altum@altum.lv",
        postal_address="Doma laukums 4, Rīga",
    )
    offices = []
    for i in range(51):
        schedule = Schedule.objects.create(name=f"Birojs {i}", is_default=i == 0)
        ScheduleHours.objects.bulk_create(
            ScheduleHours(schedule=schedule, weekday=d, opens=clock(8, 30), closes=clock(17))
            for d in range(5)
        )
        offices.append(
            Office.objects.create(
                code=f"o{i}",
                name_lv=f"Birojs {i}",
                name_en=f"Office {i}",
                address=f"Iela {i}, Rīga",
                schedule=schedule,
            )
        )
    main = Programme.objects.create(
        code="housing", name_lv="Mājokļi", name_en="Housing", category="loan", apply_via="portal"
    )
    rare = Programme.objects.create(
        code="venture",
        name_lv="Riska kapitāls",
        name_en="Venture",
        category="venture",
        apply_via="portal",
    )
    quick = Programme.objects.create(
        code="quick", name_lv="Īsā", name_en="Quick", category="other", apply_via="office"
    )
    BookingRule.objects.create(
        programme=main,
        duration_minutes=45,
        buffer_after_minutes=15,
        step_minutes=15,
        min_notice_minutes=120,
        horizon_days=100,
    )
    BookingRule.objects.create(
        programme=rare,
        duration_minutes=45,
        buffer_after_minutes=15,
        step_minutes=15,
        min_notice_minutes=120,
        horizon_days=100,
    )
    BookingRule.objects.create(
        programme=quick,
        duration_minutes=20,
        buffer_after_minutes=0,
        step_minutes=20,
        min_notice_minutes=0,
        horizon_days=100,
    )
    User = get_user_model()
    users = User.objects.bulk_create(User(username=f"c{i}") for i in range(510))
    people = Employee.objects.bulk_create(
        Employee(
            user=u,
            first_name="Konsultants",
            surname=f"Nr. {i}",
            position_lv="Konsultants",
            phone="+37167774000",
            email=f"c{i}@altum.lv",
        )
        for i, u in enumerate(users)
    )
    plans = []
    for i, person in enumerate(people[:500]):
        home = offices[i // 10]
        for weekday in range(4):
            plans.append(
                ConsultantPlan(
                    employee=person, office=home, weekday=weekday, starts=clock(9), ends=clock(17)
                )
            )
        friday_office = offices[(i // 10 + 1) % 50] if i % 5 == 0 else home
        plans.append(
            ConsultantPlan(
                employee=person, office=friday_office, weekday=4, starts=clock(9), ends=clock(17)
            )
        )
    for person in people[500:]:
        plans.append(
            ConsultantPlan(
                employee=person,
                office=offices[50],
                weekday=DAY_VIEW_DATE.weekday(),
                starts=clock(9),
                ends=clock(17),
            )
        )
    ConsultantPlan.objects.bulk_create(plans)
    Through = Employee.competences.through
    Through.objects.bulk_create(
        [Through(employee_id=p.pk, programme_id=main.pk) for p in people[:500]]
        + [Through(employee_id=p.pk, programme_id=rare.pk) for p in people[:500:5]]
        + [Through(employee_id=p.pk, programme_id=quick.pk) for p in people[500:]]
    )
    client = client_create(name="Klients", email="klients@example.lv")
    cases = [
        case_open(client=client, channel="in_person", subject=f"Konsultācija {i}")
        for i in range(20)
    ]
    rng = random.Random(11)
    calendar = get_calendar(offices[1])
    rows: list[Appointment] = []
    n = 0
    length, after = timedelta(minutes=45), timedelta(minutes=15)

    def flush() -> None:
        Appointment.objects.bulk_create(rows, batch_size=5000)
        rows.clear()

    for day_index in range(92):
        day = NOW.date() + timedelta(days=day_index)
        plan_day = calendar.day(day)
        if not plan_day.working:
            continue
        full = day_index < 14
        for i, person in enumerate(people[:500]):
            office = (
                offices[(i // 10 + 1) % 50]
                if (day.weekday() == 4 and i % 5 == 0)
                else offices[i // 10]
            )
            start = datetime.combine(day, clock(9), tzinfo=RIGA)
            closes = datetime.combine(day, min(clock(17), plan_day.intervals[-1][1]), tzinfo=RIGA)
            while start + length <= closes:
                if full or rng.random() < 0.7:
                    n += 1
                    rows.append(
                        Appointment(
                            case=cases[n % 20],
                            programme=main,
                            office=office,
                            consultant=person,
                            starts_at=start,
                            ends_at=start + length,
                            blocked_from=start,
                            blocked_until=start + length + after,
                            status="booked",
                            booked_via="portal",
                            topic="Mājoklis",
                            contact_email="k@example.lv",
                            uid=f"b{n}@bench",
                            created_at=NOW - timedelta(days=rng.randrange(1, 60)),
                        )
                    )
                start += length + after
            if len(rows) >= 20000:
                flush()
    flush()
    # The 51st office: 200 visits on one day.
    q = timedelta(minutes=20)
    for person in people[500:]:
        for k in range(20):
            n += 1
            start = datetime.combine(DAY_VIEW_DATE, clock(9), tzinfo=RIGA) + k * q
            state = k % 5
            rows.append(
                Appointment(
                    case=cases[n % 20],
                    programme=quick,
                    office=offices[50],
                    consultant=person,
                    starts_at=start,
                    ends_at=start + q,
                    blocked_from=start,
                    blocked_until=start + q,
                    status="done" if state == 3 else "booked",
                    booked_via="desk",
                    topic=f"Jautājums {k}",
                    contact_phone="+37129123456",
                    uid=f"d{n}@bench",
                    created_at=NOW,
                    special_needs="Ratiņkrēsls" if k % 7 == 0 else "",
                    needs_identity_document=k % 2 == 0,
                    arrived_at=start if state >= 1 else None,
                    started_at=start + timedelta(minutes=3) if state >= 2 else None,
                    finished_at=start + q if state == 3 else None,
                    late_minutes=10 if state == 4 else None,
                    late_notice_at=start - timedelta(hours=1) if state == 4 else None,
                )
            )
    flush()
    print(
        f"generated {Appointment.objects.count():,} appointments in {time.perf_counter() - t0:.0f} s"
    )


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def line(name: str, values: list[float], extra: str = "") -> None:
    ms = [v * 1000 for v in values]
    print(
        f"{name:<58} p50 {statistics.median(ms):6.1f}  p95 {pct(ms, 95):6.1f}  "
        f"max {max(ms):6.1f} ms  {extra}"
    )


def measure(runs: int) -> None:
    from django.db import connection
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext

    from charterdesk.appointments.selectors import free_slots
    from charterdesk.directory.models import Employee, Office, Programme

    main = Programme.objects.get(code="housing")
    rare = Programme.objects.get(code="venture")
    office = Office.objects.get(code="o7")
    later = NOW + timedelta(days=14)  # past the two full weeks: 70 % booked from there on
    scenarios = [
        ("now 11.01 (two weeks full): all 50 offices", lambda: free_slots(main, now=NOW)),
        ("now 11.01: one office", lambda: free_slots(main, offices=[office], now=NOW)),
        ("now 11.01: programme held by 1 in 5", lambda: free_slots(rare, now=NOW)),
        ("now 25.01 (70 % booked ahead): all 50 offices", lambda: free_slots(main, now=later)),
        ("now 25.01: one office", lambda: free_slots(main, offices=[office], now=later)),
        ("now 25.01: programme held by 1 in 5", lambda: free_slots(rare, now=later)),
    ]
    print("load average (1, 5, 15 min) before: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    cold = time.perf_counter()
    first = free_slots(main, now=NOW)
    print(f"first call (builds 50 office calendars): {(time.perf_counter() - cold) * 1000:.0f} ms")
    print(f"  first free slot: {first[0].starts_at:%a %d.%m.%Y %H:%M} (two weeks fully booked)")
    for name, fn in scenarios:
        times = []
        with CaptureQueriesContext(connection) as queries:
            fn()
        for _ in range(runs):
            began = time.perf_counter()
            found = fn()
            times.append(time.perf_counter() - began)
        assert len(found) == 10, found
        line(name, times, f"{len(queries)} queries")
    http = HttpClient()
    http.force_login(Employee.objects.get(user__username="c500").user)
    url = f"/appointments/day/?office=o50&date={DAY_VIEW_DATE.isoformat()}"
    response = http.get(url)
    assert response.status_code == 200 and response.content.count(b'id="visit-') == 200
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        http.get(url)
        times.append(time.perf_counter() - began)
    with CaptureQueriesContext(connection) as queries:
        http.get(url)
    line("day view page, 200 visits (test client, full page)", times, f"{len(queries)} queries")
    print("load average (1, 5, 15 min) after: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="cd_bench_appointments")
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--reuse", action="store_true", help="measure the data already there")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"{SERVER}/{args.db}"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    if not (args.reuse and count(args.db) > 0):
        connection.close()
        recreate_database(args.db)
        generate()
    measure(args.runs)


if __name__ == "__main__":
    main()
