"""The per-day sums (``DayLoad``, kept by triggers, migration ``0005``) and the slot search that
passes over the days they prove booked full (``loads.py``):

* after every kind of write — create, bulk create, save, queryset update, cancel, move to another
  day or consultant, delete, queryset delete, a range with fractions of a second — each
  consultant's day holds exactly the sum and count of its live ranges and a span containing
  them, on SQLite and PostgreSQL; the migration's fill gives the same;
* the search gives exactly the reference's slots (every grid point checked against every
  booking) and exactly what it gives without the sums, on randomised plans, exceptions, leave,
  holidays, buffers and bookings with fully booked days, days full but for gaps shorter than a
  consultation, an excluded appointment (a move);
* on PostgreSQL, concurrent bookings of one consultant's day add up, and two opposite moves at
  once do not deadlock.
"""

from __future__ import annotations

import importlib
import math
import random
import time as clock
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from charterdesk.appointments import loads
from charterdesk.appointments.models import (
    Appointment,
    DayLoad,
)
from charterdesk.appointments.selectors import free_slots
from charterdesk.cases.services import case_open
from tests.appointments.conftest import RIGA, build_world
from tests.appointments.test_slots_reference import FIRST_DAY, _quarter, random_plans, reference
from tests.cases.test_concurrency import _run_threads

MIGRATION = importlib.import_module("charterdesk.appointments.migrations.0005_day_load")


def expected_loads() -> dict[tuple[int, int], tuple[int, int, int, int]]:
    """(consultant, UTC day) -> (blocked seconds, count, earliest start, latest end) of the
    live ranges, computed from the appointments themselves."""
    out: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for a in Appointment.objects.exclude(status="cancelled").exclude(consultant=None):
        f, u = a.blocked_from.timestamp(), a.blocked_until.timestamp()
        key = (a.consultant_id, math.floor(f) // 86400)
        blocked, n, lo, hi = out.get(key, (0, 0, math.floor(f), math.ceil(u)))
        out[key] = (
            blocked + max(0, math.floor(u) - math.ceil(f)),
            n + 1,
            min(lo, math.floor(f)),
            max(hi, math.ceil(u)),
        )
    return out


def assert_loads_exact() -> None:
    expected = expected_loads()
    rows = {
        (r.consultant_id, r.day): r for r in DayLoad.objects.filter(live__gt=0)
    }  # rows at zero may stay
    assert set(rows) == set(expected)
    for key, (blocked, n, lo, hi) in expected.items():
        row = rows[key]
        assert (row.blocked_seconds, row.live) == (blocked, n), key
        assert row.span_from <= lo and row.span_until >= hi, key
    assert not DayLoad.objects.filter(live=0).exclude(blocked_seconds=0).exists()


def make(world, person, starts_at, minutes, *, case, n, after=0, status="booked", office=None):
    return Appointment.objects.create(
        case=case,
        programme=world.housing,
        office=office or world.riga_office,
        consultant=person,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        blocked_from=starts_at,
        blocked_until=starts_at + timedelta(minutes=minutes + after),
        status=status,
        booked_via="desk",
        topic="T",
        contact_email="k@example.lv",
        uid=f"load-{n}@test",
        created_at=starts_at - timedelta(days=3),
    )


def test_the_sums_follow_every_change(world):
    rng = random.Random(5)
    case = case_open(client=world.ilze, channel="in_person", subject="Konsultācija")
    people = [world.anna, world.laura, world.janis]
    rows = []
    n = 0
    for person in people:
        for day_index in range(6):
            moment = datetime.combine(FIRST_DAY + timedelta(days=day_index), time(8), tzinfo=RIGA)
            while moment.hour < 17:
                n += 1
                minutes = rng.choice([20, 45, 60])
                rows.append(
                    make(world, person, moment, minutes, case=case, n=n, after=rng.choice([0, 15]))
                )
                moment += timedelta(minutes=minutes + 15 + rng.choice([0, 30]))
    # A range with fractions of a second, one past midnight UTC, one without a consultant.
    n += 1
    odd = make(
        world,
        world.anna,
        datetime(2026, 12, 14, 23, 50, 7, 250000, tzinfo=RIGA),
        30,
        case=case,
        n=n,
    )
    n += 1
    make(world, None, datetime(2026, 12, 15, 9, tzinfo=RIGA), 30, case=case, n=n)
    assert_loads_exact()
    for step in range(40):
        a = rng.choice(rows)
        a.refresh_from_db()
        kind = rng.choice(["cancel", "rebook", "move", "consultant", "done", "delete"])
        if kind == "cancel":
            a.status = "cancelled"
            a.save()
        elif kind == "rebook" and a.status == "cancelled":
            Appointment.objects.filter(pk=a.pk).update(status="booked")  # a queryset update
        elif kind == "move":
            shift = timedelta(days=rng.choice([-2, 1, 7]), minutes=rng.choice([0, 7]))
            a.starts_at += shift
            a.ends_at += shift
            a.blocked_from += shift
            a.blocked_until += shift
            try:
                with transaction.atomic():
                    a.save()
            except Exception:  # the no-double-booking constraint refused: nothing changed
                pass
        elif kind == "consultant":
            a.consultant = rng.choice(people)
            try:
                with transaction.atomic():
                    a.save()
            except Exception:
                pass
        elif kind == "done":
            Appointment.objects.filter(pk=a.pk).update(status="done", reminder_sent_at=a.starts_at)
        elif kind == "delete":
            rows.remove(a)
            a.delete()
        if step % 5 == 0:
            assert_loads_exact()
    odd.blocked_until += timedelta(seconds=1, microseconds=100)
    odd.save()
    assert_loads_exact()
    Appointment.objects.bulk_create(
        [
            Appointment(
                case=case,
                programme=world.housing,
                office=world.valmiera,
                consultant=world.laura,
                starts_at=datetime(2027, 1, 4, 9, tzinfo=RIGA) + timedelta(hours=k),
                ends_at=datetime(2027, 1, 4, 9, 45, tzinfo=RIGA) + timedelta(hours=k),
                blocked_from=datetime(2027, 1, 4, 9, tzinfo=RIGA) + timedelta(hours=k),
                blocked_until=datetime(2027, 1, 4, 10, tzinfo=RIGA) + timedelta(hours=k),
                booked_via="desk",
                topic="T",
                contact_email="k@example.lv",
                uid=f"bulk-{k}@test",
                created_at=datetime(2027, 1, 1, tzinfo=RIGA),
            )
            for k in range(5)
        ]
    )
    assert_loads_exact()
    Appointment.objects.filter(consultant=world.janis).delete()
    assert_loads_exact()
    # The migration's fill gives the same sums as the triggers.
    before = {
        (r.consultant_id, r.day): (r.blocked_seconds, r.live, r.span_from, r.span_until)
        for r in DayLoad.objects.filter(live__gt=0)
    }
    DayLoad.objects.all().delete()
    fill = MIGRATION.PG_FILL if connection.vendor == "postgresql" else MIGRATION.SQLITE_FILL
    with connection.cursor() as cursor:
        cursor.execute(fill)
    after = {
        (r.consultant_id, r.day): (r.blocked_seconds, r.live, r.span_from, r.span_until)
        for r in DayLoad.objects.all()
    }
    assert {k: v[:2] for k, v in after.items()} == {k: v[:2] for k, v in before.items()}
    assert_loads_exact()


def _world_of_full_days(world, rng: random.Random):
    offices, people = random_plans(world, rng, days=14, p_plan=0.85)
    case = case_open(client=world.ilze, channel="in_person", subject="Konsultācija")
    n = 0
    booked = []
    for person in people:
        for day_index in range(24):
            day = FIRST_DAY + timedelta(days=day_index)
            # Most of the first two weeks booked full (08:00-18:00 without a gap, or with gaps
            # shorter than any consultation), the rest at random.
            kind = rng.choice(["full", "full", "gaps", "random"] if day_index < 14 else ["random"])
            moment = datetime.combine(day, time(8), tzinfo=RIGA)
            while moment.hour < 18:
                minutes = rng.choice([20, 30, 45, 60, 90])
                if kind != "random" or rng.random() < 0.55:
                    n += 1
                    status = (
                        "booked"
                        if kind == "full"
                        else rng.choice(["booked"] * 5 + ["cancelled", "done"])
                    )
                    booked.append(
                        make(
                            world,
                            person,
                            moment,
                            minutes,
                            case=case,
                            n=n,
                            status=status,
                            office=rng.choice(offices),
                        )
                    )
                gap = {"full": 0, "gaps": rng.choice([0, 5, 10])}.get(
                    kind, rng.choice([5, 15, 30, 60])
                )
                moment += timedelta(minutes=minutes + gap)
    return offices, booked


@pytest.mark.parametrize("seed", range(5))
def test_the_search_over_full_days_gives_the_reference_slots(world, seed, monkeypatch):
    rng = random.Random(100 + seed)
    offices, booked = _world_of_full_days(world, rng)
    assert_loads_exact()
    compared = 0
    dropped = [0]
    real_not_full = loads.DayLoads.not_full

    def counting(self, rows, earliest, length):
        kept = real_not_full(self, rows, earliest, length)
        dropped[0] += len(rows) - len(kept)
        return kept

    monkeypatch.setattr(loads.DayLoads, "not_full", counting)
    for _ in range(4):
        now = datetime.combine(
            FIRST_DAY + timedelta(days=rng.randrange(6)), _quarter(rng, 7, 18), tzinfo=RIGA
        )
        after = now + timedelta(minutes=rng.randrange(0, 3000, 7))
        limit = rng.choice([1, 5, 10, 40])
        until_day = FIRST_DAY + timedelta(days=rng.randrange(10, 25))
        for asked in (offices, [rng.choice(offices)]):
            kw = dict(
                offices=asked if len(asked) == 1 else None,
                now=now,
                after=after,
                limit=limit,
                until_day=until_day,
            )
            expected = reference(world.housing, asked, now, after, limit, until_day)
            got = free_slots(world.housing, **kw)
            assert got == expected, (now, after, limit, until_day)
            compared += len(expected)
            # A move: the search without one appointment, with and without the sums.
            moved = rng.choice(booked)
            with_sums = free_slots(world.housing, exclude_appointment=moved.pk, **kw)
            monkeypatch.setattr(loads.DayLoads, "not_full", lambda self, rows, e, n: rows)
            without = free_slots(world.housing, exclude_appointment=moved.pk, **kw)
            plain = free_slots(world.housing, **kw)
            monkeypatch.setattr(loads.DayLoads, "not_full", counting)
            assert with_sums == without
            assert plain == got
    assert compared > 0  # not a comparison of empty lists
    assert dropped[0] > 0  # the sums did pass over full days


def test_a_search_over_two_full_weeks_reads_no_booking_of_them(world):
    """The first free slot after two fully booked weeks: the bookings of the full days are not
    read (a query for the first hours, the sums, then the bookings of the free day only)."""
    case = case_open(client=world.ilze, channel="in_person", subject="Konsultācija")
    n = 0
    for day_index in range(14):
        day = date(2026, 12, 7) + timedelta(days=day_index)
        moment = datetime.combine(day, time(9), tzinfo=RIGA)
        while moment.hour < 15:  # Anna's plans: 9-13 at Riga, 10-15 at Valmiera
            n += 1
            make(world, world.anna, moment, 45, case=case, n=n, after=15)
            moment += timedelta(hours=1)
    now = datetime(2026, 12, 7, 7, tzinfo=RIGA)
    with CaptureQueriesContext(connection) as queries:
        slots = free_slots(world.housing, consultant=world.anna, now=now, limit=3)
    assert [s.starts_at for s in slots] == [
        datetime(2026, 12, 21, 9, tzinfo=RIGA),
        datetime(2026, 12, 21, 9, 15, tzinfo=RIGA),
        datetime(2026, 12, 21, 9, 30, tzinfo=RIGA),
    ]
    reads = [q["sql"] for q in queries.captured_queries if "appointments_appointment" in q["sql"]]
    assert len(reads) == 2, reads  # the first three hours, then 21.12 only


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_one_day_add_up_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (runs on PostgreSQL)")
    world = build_world()
    case = case_open(client=world.ilze, channel="in_person", subject="Konsultācija")
    day = datetime(2027, 1, 4, 8, tzinfo=RIGA)
    first = make(world, world.anna, day, 30, case=case, n=1000)  # the day's row exists
    moved = [
        make(world, world.anna, datetime(2027, 1, 5, 8, tzinfo=RIGA), 30, case=case, n=1001),
        make(world, world.anna, datetime(2027, 1, 6, 8, tzinfo=RIGA), 30, case=case, n=1002),
    ]

    def book(i: int) -> None:
        # 12 bookings of distinct times of one consultant's day, each transaction held open a
        # moment after its insert so that they overlap; two of them also cancel the first.
        with transaction.atomic():
            make(world, world.anna, day + timedelta(minutes=40 * (i + 1)), 30, case=case, n=i)
            if i in (3, 7):
                Appointment.objects.filter(pk=first.pk).update(status="cancelled")
            clock.sleep(0.2)

    assert _run_threads(book, 12) == []
    assert_loads_exact()
    assert (
        DayLoad.objects.get(consultant=world.anna, day=math.floor(day.timestamp()) // 86400).live
        == 12
    )

    def move(i: int) -> None:
        # Two opposite moves at once: 5.1 -> 6.1 and 6.1 -> 5.1 (other times of the day).
        a = Appointment.objects.get(pk=moved[i].pk)
        shift = timedelta(days=1 if i == 0 else -1, hours=2)
        with transaction.atomic():
            Appointment.objects.filter(pk=a.pk).update(
                starts_at=a.starts_at + shift,
                ends_at=a.ends_at + shift,
                blocked_from=a.blocked_from + shift,
                blocked_until=a.blocked_until + shift,
            )
            clock.sleep(0.3)

    assert _run_threads(move, 2) == []  # no deadlock
    assert_loads_exact()
