"""Free slots against the business calendar: a hand-checked table, holidays, a worked Saturday,
the shortened eve of a holiday, both DST changes, a consultant at two offices, buffers, leave,
exceptions, notice and horizon, competence, and any office for any client [OFFICE-ANY]."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from charterdesk.appointments.models import (
    Appointment,
    ConsultantException,
    ConsultantLeave,
)
from charterdesk.appointments.selectors import free_slots
from charterdesk.appointments.services import appointment_book
from charterdesk.appointments.slots import Rule, day_starts
from charterdesk.calendar.models import CalendarOverride
from tests.appointments.conftest import RIGA, plan, riga


def hm(slots) -> list[str]:
    return [f"{s.starts_at.astimezone(RIGA):%H:%M}" for s in slots]


def on_day(world, day: date, programme=None, consultant=None, offices=None, now=None):
    """Every free slot of one day (``now``: a week before, so notice does not matter)."""
    now = now or datetime.combine(day - timedelta(days=7), time(12), tzinfo=RIGA)
    return free_slots(
        programme or world.housing,
        consultant=consultant,
        offices=offices,
        now=now,
        after=datetime.combine(day, time(0), tzinfo=RIGA),
        until_day=day,
        limit=500,
    )


# --- the pure arithmetic: a hand-checked table ---------------------------------------------------

RULE = Rule(
    length=timedelta(minutes=45),
    before=timedelta(minutes=10),
    after=timedelta(minutes=15),
    step=timedelta(minutes=15),
)
DAY = date(2026, 12, 7)


def local(h: int, m: int = 0) -> datetime:
    return datetime.combine(DAY, time(h, m))


@pytest.mark.parametrize(
    ("windows", "busy", "expected"),
    [
        # 09:00–11:00, nothing booked: a 45-min consultation may start every 15 min until 10:15.
        ([("09:00", "11:00")], [], ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15"]),
        # A booking 09:45–10:30 blocks 09:35–10:45 (10 before, 15 after). A new block
        # [s-10, s+60) must end by 09:35 → no start before 09:00+... s+60 <= 09:35 → none before;
        # and start after: s-10 >= 10:45 → s >= 10:55 → 11:00 is the grid point, but 11:00+45 >
        # 11:00 (window end) → none.  So nothing is free.
        ([("09:00", "11:00")], [("09:35", "10:45")], []),
        # The same booking in a longer window: the next start on the grid after it is 11:00.
        ([("09:00", "12:00")], [("09:35", "10:45")], ["11:00", "11:15"]),
        # A booking late in the window leaves the early starts: s+60 <= 10:20 → s <= 09:20; after
        # it s-10 >= 11:10 → s >= 11:20 → grid 11:30, but 11:30+45 > 12:00: nothing after it.
        ([("09:00", "12:00")], [("10:20", "11:10")], ["09:00", "09:15"]),
        # Two windows (a lunch break): each has its own grid from its own start.
        (
            [("09:00", "10:00"), ("12:40", "14:00")],
            [],
            ["09:00", "09:15", "12:40", "12:55", "13:10"],
        ),
        # A window shorter than the consultation: nothing.
        ([("16:00", "16:30")], [], []),
    ],
)
def test_hand_checked_table(windows, busy, expected):
    ws = [(time.fromisoformat(a), time.fromisoformat(b)) for a, b in windows]
    bs = [(local(*map(int, a.split(":"))), local(*map(int, b.split(":")))) for a, b in busy]
    got = [f"{s:%H:%M}" for s, _e in day_starts(DAY, ws, bs, RULE, earliest=local(0), tz=RIGA)]
    assert got == expected


def test_notice_skips_the_early_starts():
    ws = [(time(9), time(11))]
    got = [f"{s:%H:%M}" for s, _e in day_starts(DAY, ws, [], RULE, earliest=local(9, 20), tz=RIGA)]
    assert got == ["09:30", "09:45", "10:00", "10:15"]


# --- against the database and the business calendar ------------------------------------------------


def test_an_ordinary_monday_at_riga(world):
    # Anna Mon 09–13 and Jānis (not competent for housing) Mon 09–17: only Anna's slots.
    slots = on_day(world, date(2026, 12, 7))
    assert {s.consultant_id for s in slots} == {world.anna.pk}
    assert hm(slots) == [
        "09:00",
        "09:15",
        "09:30",
        "09:45",
        "10:00",
        "10:15",
        "10:30",
        "10:45",
        "11:00",
        "11:15",
        "11:30",
        "11:45",
        "12:00",
        "12:15",
    ]
    assert all(s.office_id == world.riga_office.pk for s in slots)
    assert all(s.ends_at - s.starts_at == timedelta(minutes=45) for s in slots)


def test_a_consultant_at_two_offices_on_different_days(world):
    tuesday = on_day(world, date(2026, 12, 8))
    # Valmiera works 09–12 and 12:30–16; Anna's plan 10–15 → windows 10–12 and 12:30–15.
    assert {s.office_id for s in tuesday} == {world.valmiera.pk}
    assert hm(tuesday) == [
        "10:00",
        "10:15",
        "10:30",
        "10:45",
        "11:00",
        "11:15",
        "12:30",
        "12:45",
        "13:00",
        "13:15",
        "13:30",
        "13:45",
        "14:00",
        "14:15",
    ]
    # Asking for Riga only on that Tuesday: nothing (Anna is in Valmiera).
    assert on_day(world, date(2026, 12, 8), offices=[world.riga_office]) == []


def test_a_consultant_booked_at_one_office_is_busy_at_the_other(world):
    # Jānis gains the housing competence and a Tuesday plan in Riga; Anna is in Valmiera.
    # An appointment of Anna's blocks only Anna.
    world.laura.competences.add(world.housing)
    plan(world.laura, world.valmiera, 1, "10:00", "11:00")
    now = riga(2026, 12, 1, 12)
    appointment_book(
        programme=world.housing,
        office=world.valmiera,
        consultant=world.anna,
        starts_at=riga(2026, 12, 8, 10),
        via="desk",
        topic="Garantija",
        client=world.ilze,
        contact_phone="+37129123456",
        now=now,
    )
    slots = on_day(world, date(2026, 12, 8), now=now)
    anna = [s for s in slots if s.consultant_id == world.anna.pk]
    laura = [s for s in slots if s.consultant_id == world.laura.pk]
    assert hm(anna)[:2] == ["11:00", "11:15"]  # 10:00–10:45 + 15 min after
    assert hm(laura) == ["10:00", "10:15"]


def test_a_public_holiday_has_no_slots_and_its_eve_is_one_hour_shorter(world):
    plan(world.anna, world.riga_office, 1, "13:00", "17:00")  # Tuesdays in Riga after lunch too
    # 18.11.2026 (Wednesday) Proclamation Day: nothing.
    assert on_day(world, date(2026, 11, 18)) == []
    # 17.11.2026 (Tuesday), the eve: Riga closes at 16:00, so the last start is 15:15.
    eve = [s for s in on_day(world, date(2026, 11, 17)) if s.office_id == world.riga_office.pk]
    assert hm(eve)[0] == "13:00"
    assert hm(eve)[-1] == "15:15"
    # An ordinary Tuesday a week later: the last start is 16:15.
    normal = [s for s in on_day(world, date(2026, 11, 24)) if s.office_id == world.riga_office.pk]
    assert hm(normal)[-1] == "16:15"


def test_a_worked_saturday_follows_the_moved_days_hours_and_plans(world):
    # 17.01.2026 (Saturday) is worked in exchange for Friday 02.01.2026: Friday's plan applies
    # (Laura, Fri 13–17 in Riga), with Riga's Friday hours (to 17:00, not shortened).
    slots = on_day(world, date(2026, 1, 17))
    assert {s.consultant_id for s in slots} == {world.laura.pk}
    assert hm(slots)[0] == "13:00" and hm(slots)[-1] == "16:15"
    # Friday 02.01.2026 itself is a day off.
    assert on_day(world, date(2026, 1, 2)) == []
    # An ordinary Saturday has nothing.
    assert on_day(world, date(2026, 1, 24)) == []


def test_a_worked_saturday_of_a_shortened_day(world):
    # 27.06.2026 (Saturday) is worked for Monday 22.06, the eve of Līgo: Monday's plan (Anna
    # 09–13) and Riga's Monday hours one hour shorter (08:30–16:00): not cut, Anna ends at 13:00.
    # An override makes it a plain test of the cut: Riga closes at 12:00 that Saturday.
    CalendarOverride.objects.create(
        date=date(2026, 6, 27), kind="working", replaces=date(2026, 6, 22), name="test"
    )
    slots = on_day(world, date(2026, 6, 27))
    assert {s.consultant_id for s in slots} == {world.anna.pk}
    assert hm(slots)[-1] == "12:15"


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (date(2026, 3, 27), 7),  # Friday before the spring change: 09:00 EET = 07:00 UTC
        (date(2026, 3, 30), 6),  # Monday after it: 09:00 EEST = 06:00 UTC
        (date(2026, 10, 23), 6),  # Friday before the autumn change: 09:00 EEST = 06:00 UTC
        (date(2026, 10, 26), 7),  # Monday after it: 09:00 EET = 07:00 UTC
    ],
)
def test_both_dst_changes_keep_the_wall_clock_time(world, day, utc_hour):
    plan(world.anna, world.riga_office, 4, "09:00", "10:00")  # Fridays too
    slots = on_day(world, day, consultant=world.anna)
    first = slots[0]
    assert first.starts_at.astimezone(RIGA).time() == time(9, 0)
    assert first.starts_at.astimezone(UTC).hour == utc_hour
    assert first.ends_at - first.starts_at == timedelta(minutes=45)  # real minutes, too
    assert (first.ends_at.timestamp() - first.starts_at.timestamp()) == 45 * 60


def test_buffers_around_a_booking(world):
    now = riga(2026, 12, 1, 12)
    appointment_book(
        programme=world.housing,
        office=world.riga_office,
        consultant=world.anna,
        starts_at=riga(2026, 12, 7, 10),
        via="desk",
        topic="Garantija",
        client=world.ilze,
        contact_phone="+37129123456",
        now=now,
    )
    slots = hm(on_day(world, date(2026, 12, 7), now=now))
    # 10:00–10:45 plus 15 after blocks to 11:00; a slot ending by 10:00 may start at 09:00
    # (09:00–09:45, its own 15 after ends at 10:00).
    assert slots[:2] == ["09:00", "11:00"]
    assert "09:15" not in slots and "10:45" not in slots


def test_leave_and_dated_exceptions(world):
    ConsultantLeave.objects.create(
        employee=world.anna, first_day=date(2026, 12, 7), last_day=date(2026, 12, 9)
    )
    assert on_day(world, date(2026, 12, 7)) == []
    assert on_day(world, date(2026, 12, 8)) == []
    # Thursday 10.12: an exception moves Anna to Riga 14–16 that day.
    ConsultantException.objects.create(
        employee=world.anna,
        date=date(2026, 12, 10),
        office=world.riga_office,
        starts=time(14),
        ends=time(16),
    )
    slots = on_day(world, date(2026, 12, 10))
    assert {s.office_id for s in slots} == {world.riga_office.pk}
    assert hm(slots) == ["14:00", "14:15", "14:30", "14:45", "15:00", "15:15"]
    # An exception without an office: not receiving that day.
    ConsultantException.objects.create(employee=world.anna, date=date(2026, 12, 14))
    assert on_day(world, date(2026, 12, 14)) == []


def test_minimum_notice_and_horizon(world):
    now = riga(2026, 12, 7, 9, 50)  # Monday; notice 2 h → from 11:50
    slots = free_slots(world.housing, now=now, limit=3)
    # 12:00 and 12:15 (the last start before Anna's 13:00), then Tuesday 10:00 in Valmiera.
    assert hm(slots) == ["12:00", "12:15", "10:00"]
    assert slots[2].starts_at.date() == date(2026, 12, 8)
    # The horizon is 60 days: nothing is offered beyond it.
    far = free_slots(world.housing, now=now, after=now + timedelta(days=61), limit=3)
    assert far == []


def test_only_competent_consultants_are_offered(world):
    startup = on_day(world, date(2026, 12, 7), programme=world.startup)
    assert {s.consultant_id for s in startup} == {world.janis.pk}
    world.janis.competences.clear()
    assert on_day(world, date(2026, 12, 7), programme=world.startup) == []


def test_any_office_whatever_the_clients_address(world):
    # [OFFICE-ANY]: the client lives in Valmiera; Riga and Valmiera are both offered (the slot
    # search does not take the client at all), and a booking in Riga is accepted.
    world.ilze.postal_address = "Rīgas iela 1, Valmiera"
    world.ilze.save()
    now = riga(2026, 12, 7, 6)
    offices = {s.office_id for s in free_slots(world.housing, now=now, limit=40)}
    assert offices == {world.riga_office.pk, world.valmiera.pk}
    booked = appointment_book(
        programme=world.housing,
        office=world.riga_office,
        consultant=world.anna,
        starts_at=riga(2026, 12, 7, 12),
        via="desk",
        topic="Garantija",
        client=world.ilze,
        contact_phone="+37129123456",
        now=now,
    )
    assert Appointment.objects.get(pk=booked.pk).office == world.riga_office


def test_a_changed_plan_is_seen_at_once(world):
    """The weekly plans are cached per process until a plan is saved or deleted."""
    from charterdesk.appointments.models import ConsultantPlan

    day = date(2026, 12, 7)
    assert hm(on_day(world, day))[-1] == "12:15"
    row = ConsultantPlan.objects.get(employee=world.anna, weekday=0)
    row.ends = time(14)
    row.save()
    assert hm(on_day(world, day))[-1] == "13:15"
    row.delete()
    assert on_day(world, day) == []
