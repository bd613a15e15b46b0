"""A small world for the appointment tests: two offices with their schedules, a programme with its
booking rule, consultants with weekly plans (Anna at both offices on different days)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from charterdesk.appointments.models import BookingRule, ConsultantPlan
from charterdesk.calendar.models import Schedule, ScheduleHours
from charterdesk.clients.models import Client
from charterdesk.directory.models import Employee, Office, Programme
from tests.factories import make_client, make_employee, make_institution, make_programme

RIGA = ZoneInfo("Europe/Riga")


def riga(*args: int) -> datetime:
    return datetime(*args, tzinfo=RIGA)  # type: ignore[misc]


@dataclass
class World:
    riga_office: Office
    valmiera: Office
    housing: Programme  # 45 min + 15 after, step 15, notice 2 h, needs an identity document
    startup: Programme
    anna: Employee  # housing; Mon/Wed at Riga 09–13, Tue/Thu at Valmiera 10–15
    janis: Employee  # start-up only
    laura: Employee  # housing; Fri at Riga 13–17
    ilze: Client


def _schedule(name: str, weekly: dict[int, list[tuple[time, time]]]) -> Schedule:
    schedule = Schedule.objects.create(name=name, is_default=name == "Rīga")
    for weekday, intervals in weekly.items():
        for opens, closes in intervals:
            ScheduleHours.objects.create(
                schedule=schedule, weekday=weekday, opens=opens, closes=closes
            )
    return schedule


def plan(employee: Employee, office: Office, weekday: int, starts: str, ends: str) -> None:
    ConsultantPlan.objects.create(
        employee=employee,
        office=office,
        weekday=weekday,
        starts=time.fromisoformat(starts),
        ends=time.fromisoformat(ends),
    )


def build_world() -> World:
    make_institution()
    riga_schedule = _schedule("Rīga", {d: [(time(8, 30), time(17, 0))] for d in range(5)})
    valmiera_schedule = _schedule(
        "Valmiera", {d: [(time(9, 0), time(12, 0)), (time(12, 30), time(16, 0))] for d in range(5)}
    )
    riga_office = Office.objects.create(
        code="riga",
        name_lv="Rīgas konsultāciju birojs",
        name_en="Riga consultation office",
        address="Doma laukums 4, Rīga, LV-1050",
        schedule=riga_schedule,
        accessibility="Ieeja no Doma laukuma bez pakāpieniem; lifts uz 2. stāvu.",
        email="riga@altum.lv",
    )
    valmiera = Office.objects.create(
        code="valmiera",
        name_lv="Valmieras konsultāciju birojs",
        name_en="Valmiera consultation office",
        address="Rīgas iela 10, Valmiera, LV-4201",
        schedule=valmiera_schedule,
        accessibility="Pirmajā stāvā; stāvvieta personām ar invaliditāti pie ieejas.",
    )
    housing = make_programme(
        "housing",
        name_lv="Mājokļu garantijas",
        name_en="Housing guarantees",
        needs_identity_document=True,
    )
    BookingRule.objects.create(
        programme=housing,
        duration_minutes=45,
        buffer_before_minutes=0,
        buffer_after_minutes=15,
        step_minutes=15,
        min_notice_minutes=120,
        horizon_days=60,
    )
    startup = make_programme("startup", name_lv="Starta aizdevumi", name_en="Start-up loans")
    anna = make_employee("Anna", "Bērziņa", competences=[housing])
    janis = make_employee("Jānis", "Kalniņš", competences=[startup])
    laura = make_employee("Laura", "Zariņa", competences=[housing])
    plan(anna, riga_office, 0, "09:00", "13:00")
    plan(anna, riga_office, 2, "09:00", "13:00")
    plan(anna, valmiera, 1, "10:00", "15:00")
    plan(anna, valmiera, 3, "10:00", "15:00")
    plan(janis, riga_office, 0, "09:00", "17:00")
    plan(laura, riga_office, 4, "13:00", "17:00")
    ilze = make_client(
        "Ilze Bērziņa",
        email="ilze@example.lv",
        phone="+37129123456",
        special_needs="Vājredzība: lūdz lielu drukas burtu.",
    )
    return World(riga_office, valmiera, housing, startup, anna, janis, laura, ilze)


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _fresh_plans():
    # The weekly plans are cached per process (keyed by the plan revision's token).
    from charterdesk.appointments import plans

    plans._weekly_cache.clear()
    plans.days_cache.clear()
    yield
    plans._weekly_cache.clear()
    plans.days_cache.clear()
