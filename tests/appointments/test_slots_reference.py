"""The slot search (time-ordered read rounds, a heap over the consultants' streams, bookings read
as epoch seconds) gives exactly the slots of a straightforward reference — every grid point of
every window of every consultant, day by day, checked against every booking — on randomised
plans, exceptions, leave, buffers and bookings; and the database refuses a blocked range longer
than the day the search's read relies on (``appointments/0004``)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import pytest
from django.db import IntegrityError, transaction

from charterdesk.appointments.candidates import plan_weekday
from charterdesk.appointments.models import (
    Appointment,
    BookingRule,
    ConsultantException,
    ConsultantLeave,
    ConsultantPlan,
)
from charterdesk.appointments.selectors import free_slots, rule_for
from charterdesk.appointments.slots import Slot
from charterdesk.calendar import get_calendar
from charterdesk.cases.services import case_open
from charterdesk.directory.models import Office
from tests.appointments.conftest import RIGA
from tests.factories import make_employee

FIRST_DAY = date(2026, 12, 14)  # a Monday; the days searched include Christmas and the new year


def _quarter(rng: random.Random, lo: int, hi: int) -> time:
    m = rng.randrange(lo * 4, hi * 4) * 15
    return time(m // 60, m % 60)


def reference(programme, offices, now, after, limit, until_day) -> list[Slot]:
    """Every free slot by brute force, the earliest ``limit`` in (time, office, consultant)."""
    rule = rule_for(programme)
    earliest = max(now + rule.min_notice, after)
    last = now.astimezone(RIGA).date() + timedelta(days=rule.horizon_days)
    last = min(last, until_day)
    competent = {e.pk for e in programme.competent.filter(is_active=True)}
    busy: dict[int, list[tuple[datetime, datetime]]] = {}
    for a in Appointment.objects.exclude(status="cancelled"):
        busy.setdefault(a.consultant_id, []).append((a.blocked_from, a.blocked_until))
    out = []
    day = earliest.astimezone(RIGA).date()
    while day <= last:
        for office in offices:
            opening = get_calendar(office).day(day).intervals
            for emp in sorted(competent):
                if ConsultantLeave.objects.filter(
                    employee_id=emp, first_day__lte=day, last_day__gte=day
                ).exists():
                    continue
                exceptions = ConsultantException.objects.filter(employee_id=emp, date=day)
                if exceptions.exists():
                    rows = [(x.starts, x.ends) for x in exceptions if x.office_id == office.pk]
                else:
                    rows = [
                        (p.starts, p.ends)
                        for p in ConsultantPlan.objects.filter(
                            employee_id=emp, office=office, weekday=plan_weekday(day)
                        )
                    ]
                for p_from, p_until in rows:
                    for o_from, o_until in opening:
                        lo, hi = max(p_from, o_from), min(p_until, o_until)
                        if lo >= hi:
                            continue
                        s = datetime.combine(day, lo, tzinfo=RIGA)
                        end = datetime.combine(day, hi, tzinfo=RIGA)
                        while s + rule.length <= end:
                            block = (s - rule.before, s + rule.length + rule.after)
                            free = all(
                                not (b_from < block[1] and b_until > block[0])
                                for b_from, b_until in busy.get(emp, ())
                            )
                            if s >= earliest and free:
                                out.append(Slot(s, s + rule.length, office.pk, emp))
                            s += rule.step
        day += timedelta(days=1)
    out.sort(key=lambda x: (x.starts_at, x.office_id, x.consultant_id))
    return out[:limit]


def random_plans(world, rng: random.Random, *, days: int = 10, p_plan: float = 0.8):
    """A random rule for the housing programme, and random weekly plans, exceptions and leave of
    Anna, Laura and four more consultants within ``days`` from ``FIRST_DAY``: (offices, people)."""
    BookingRule.objects.filter(programme=world.housing).update(
        duration_minutes=rng.choice([20, 30, 45, 60]),
        buffer_before_minutes=rng.choice([0, 5, 10]),
        buffer_after_minutes=rng.choice([0, 10, 15]),
        step_minutes=rng.choice([10, 15, 20, 30]),
        min_notice_minutes=rng.choice([0, 60, 120]),
        horizon_days=30,
    )
    ConsultantPlan.objects.all().delete()
    offices = [world.riga_office, world.valmiera]
    people = [world.anna, world.laura] + [
        make_employee("Konsultants", f"Nr {i}", competences=[world.housing]) for i in range(4)
    ]
    for person in people:
        for weekday in range(5):
            if rng.random() < p_plan:
                ConsultantPlan.objects.create(
                    employee=person,
                    office=rng.choice(offices),
                    weekday=weekday,
                    starts=_quarter(rng, 8, 12),
                    ends=_quarter(rng, 13, 18),
                )
        if rng.random() < 0.5:
            day = FIRST_DAY + timedelta(days=rng.randrange(days))
            ConsultantException.objects.create(
                employee=person,
                date=day,
                office=rng.choice([*offices, None]),
                starts=time(10),
                ends=time(14),
            )
        if rng.random() < 0.3:
            first = FIRST_DAY + timedelta(days=rng.randrange(days))
            ConsultantLeave.objects.create(
                employee=person, first_day=first, last_day=first + timedelta(days=rng.randrange(3))
            )
    return offices, people


@pytest.mark.parametrize("seed", range(6))
def test_the_search_gives_the_reference_slots(world, seed):
    rng = random.Random(seed)
    offices, people = random_plans(world, rng)
    case = case_open(client=world.ilze, channel="in_person", subject="Konsultācija")
    n = 0
    for person in people:
        for day_index in range(21):
            day = FIRST_DAY + timedelta(days=day_index)
            moment = datetime.combine(day, time(8), tzinfo=RIGA)
            while moment.hour < 17:
                length = timedelta(minutes=rng.choice([20, 30, 45, 60, 90]))
                if rng.random() < 0.55:
                    n += 1
                    Appointment.objects.create(
                        case=case,
                        programme=world.housing,
                        office=rng.choice(offices),
                        consultant=person,
                        starts_at=moment,
                        ends_at=moment + length,
                        blocked_from=moment,
                        blocked_until=moment + length + timedelta(minutes=rng.choice([0, 5])),
                        status=rng.choice(["booked"] * 5 + ["cancelled", "done"]),
                        booked_via="desk",
                        topic="T",
                        contact_email="k@example.lv",
                        uid=f"r{seed}-{n}@test",
                        created_at=moment - timedelta(days=3),
                    )
                moment += length + timedelta(minutes=rng.choice([5, 15, 30, 60]))
    compared = 0
    for _ in range(4):
        now = datetime.combine(
            FIRST_DAY + timedelta(days=rng.randrange(8)), _quarter(rng, 7, 18), tzinfo=RIGA
        )
        after = now + timedelta(minutes=rng.randrange(0, 3000, 7))
        limit = rng.choice([1, 5, 10, 40, 200])
        until_day = FIRST_DAY + timedelta(days=rng.randrange(4, 25))
        for asked in (offices, [rng.choice(offices)]):
            expected = reference(world.housing, asked, now, after, limit, until_day)
            got = free_slots(
                world.housing,
                offices=asked if len(asked) == 1 else None,
                now=now,
                after=after,
                limit=limit,
                until_day=until_day,
            )
            assert got == expected, (now, after, limit, until_day)
            compared += len(expected)
    assert compared > 0  # not a comparison of empty lists


def test_the_database_refuses_a_blocked_range_longer_than_a_day(world):
    case = case_open(client=world.ilze, channel="in_person", subject="Konsultācija")
    start = datetime(2026, 12, 7, 9, tzinfo=RIGA)
    with (
        pytest.raises(IntegrityError, match="appointment_blocked_within_a_day"),
        transaction.atomic(),
    ):
        Appointment.objects.create(
            case=case,
            programme=world.housing,
            office=Office.objects.get(code="riga"),
            consultant=world.anna,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            blocked_from=start,
            blocked_until=start + timedelta(days=1, minutes=1),
            booked_via="desk",
            topic="T",
            contact_email="k@example.lv",
            uid="long@test",
            created_at=start,
        )
