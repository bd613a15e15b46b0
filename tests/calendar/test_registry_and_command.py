"""The database-backed calendar of an office, its cache, and the ``charterdesk calendar`` command."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from charterdesk.calendar import get_calendar
from charterdesk.calendar.models import CalendarOverride, Schedule, ScheduleException, ScheduleHours
from charterdesk.calendar.registry import clear_cache
from charterdesk.calendar.services import calendar_changed
from charterdesk.directory.calendars import UnknownOffice, office_calendar
from charterdesk.directory.models import Office

REPO = Path(__file__).resolve().parents[2]


def T(text: str) -> datetime:
    return datetime.fromisoformat(text)


def make_schedule(
    name: str, *, default: bool = False, friday_closes: time = time(16, 0)
) -> Schedule:
    schedule = Schedule.objects.create(name=name, is_default=default)
    for weekday in range(5):
        ScheduleHours.objects.create(
            schedule=schedule,
            weekday=weekday,
            opens=time(8, 30),
            closes=friday_closes if weekday == 4 else time(17, 0),
        )
    return schedule


@pytest.mark.django_db
def test_without_any_schedule_the_fallback_is_mon_to_fri_0830_1700():
    cal = get_calendar()
    assert cal.day(date(2025, 5, 16)).intervals == ((time(8, 30), time(17, 0)),)
    assert cal.day(date(2025, 5, 17)).kind == "off"


@pytest.mark.django_db
def test_default_schedule_and_an_offices_own_schedule():
    make_schedule("ALTUM", default=True)
    own = make_schedule("Valmiera", friday_closes=time(14, 0))
    ScheduleException.objects.create(
        schedule=own, date=date(2025, 5, 13), closed=True, note="inventory"
    )
    riga = Office.objects.create(
        code="riga", name_lv="Rīga", name_en="Riga", address="Doma laukums 4"
    )
    valmiera = Office.objects.create(
        code="valmiera",
        name_lv="Valmiera",
        name_en="Valmiera",
        address="Rīgas iela 1",
        schedule=own,
    )
    clear_cache()
    assert get_calendar().day(date(2025, 5, 16)).intervals == ((time(8, 30), time(16, 0)),)
    assert get_calendar(riga).day(date(2025, 5, 16)).intervals == ((time(8, 30), time(16, 0)),)
    assert get_calendar(valmiera).day(date(2025, 5, 16)).intervals == ((time(8, 30), time(14, 0)),)
    assert office_calendar("valmiera").day(date(2025, 5, 13)).kind == "off"
    assert office_calendar(valmiera.pk) is get_calendar(valmiera)
    assert get_calendar(riga) is get_calendar(None)
    with pytest.raises(UnknownOffice):
        office_calendar("nowhere")


@pytest.mark.django_db
def test_overrides_from_the_database_win_and_changes_clear_the_cache():
    before = get_calendar()
    assert before.day(date(2027, 5, 3)).kind == "shortened"  # Monday 3 May 2027, eve of 4 May
    # The Cabinet moves Monday 3 May 2027 to Saturday 8 May (not in the package's data).
    CalendarOverride.objects.create(
        date=date(2027, 5, 3), kind="day_off", name="Pārcelta darba diena"
    )
    CalendarOverride.objects.create(
        date=date(2027, 5, 8), kind="working", replaces=date(2027, 5, 3)
    )
    assert get_calendar() is before  # cached until told
    calendar_changed()
    after = get_calendar()
    assert after is not before
    assert after.day(date(2027, 5, 3)).kind == "off"
    # Saturday 8 May carries Monday 3 May (the eve of 4 May) and is shortened; Friday 30 Apr is
    # the eve of 1 May.
    assert after.day(date(2027, 5, 8)).kind == "shortened"
    assert after.day(date(2027, 5, 8)).intervals == ((time(8, 30), time(16, 0)),)
    assert after.add_working_days(T("2027-04-30T10:00+03:00"), 1) == T("2027-05-05T10:00+03:00")


@pytest.mark.django_db
def test_an_override_can_make_a_public_holiday_or_a_shortened_day():
    CalendarOverride.objects.create(
        date=date(2027, 6, 14), kind="holiday", name="Jauna svētku diena"
    )
    CalendarOverride.objects.create(date=date(2027, 6, 16), kind="shortened")
    calendar_changed()
    cal = get_calendar()
    assert cal.day(date(2027, 6, 14)).kind == "off"
    assert cal.day(date(2027, 6, 11)).kind == "working"  # Friday; the eve is Sunday 13 June
    assert cal.day(date(2027, 6, 16)).intervals == ((time(8, 30), time(16, 0)),)


def run(*args: str) -> str:
    out = StringIO()
    call_command("calendar", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "commitment,received,expected",
    [
        ("EMAIL-REPLY-1BD", "2025-05-01T10:00:00+03:00", "2025-05-07T08:30:00+03:00"),
        ("EMAIL-REPLY-1BD", "2025-05-13T10:00:00+03:00", "2025-05-14T10:00:00+03:00"),
        ("EMAIL-ACK", "2025-05-13T10:00:00+03:00", "2025-05-13T17:00:00+03:00"),
        ("PHONE-ONE-CONTACT", "2025-05-13T15:00:00+03:00", "2025-05-14T10:30:00+03:00"),
        ("EMAIL-REPLY-1BD", "2025-10-24T07:00:00Z", "2025-10-27T10:00:00+02:00"),
    ],
)
def test_due_command(commitment, received, expected):
    assert run("due", "--commitment", commitment, "--received", received).strip() == expected


@pytest.mark.django_db
def test_due_command_for_an_office_and_all_moments():
    make_schedule("ALTUM", default=True)
    Office.objects.create(code="riga", name_lv="Rīga", name_en="Riga", address="Doma laukums 4")
    clear_cache()
    # Thursday 16:30 -> Friday closes at 16:00
    out = run(
        "due",
        "--commitment",
        "EMAIL-REPLY-1BD",
        "--received",
        "2025-05-15T16:30:00+03:00",
        "--office",
        "riga",
    )
    assert out.strip() == "2025-05-16T16:00:00+03:00"
    out = run(
        "due", "--commitment", "EMAIL-ACK", "--received", "2025-05-13T10:00:00+03:00", "--all"
    )
    assert out.splitlines() == [
        "due=2025-05-13T17:00:00+03:00",
        "warn=",
        "owed=2025-05-13T16:00:00+03:00",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args,message",
    [
        (
            ["--commitment", "EMAIL-NOPE", "--received", "2025-05-01T10:00:00+03:00"],
            "not in the policy",
        ),
        (
            ["--commitment", "PHONE-RING", "--received", "2025-05-01T10:00:00+03:00"],
            "no due moment",
        ),
        (["--commitment", "EMAIL-ACK", "--received", "2025-05-01T10:00:00"], "no UTC offset"),
        (["--commitment", "EMAIL-ACK", "--received", "1 May"], "not an ISO 8601 time"),
        (
            [
                "--commitment",
                "EMAIL-ACK",
                "--received",
                "2025-05-01T10:00:00+03:00",
                "--office",
                "x",
            ],
            "no office",
        ),
        (["--commitment", "TIME-ESTIMATE", "--received", "2025-05-01T10:00:00+03:00"], "promised"),
    ],
)
def test_due_command_refuses_bad_input(args, message):
    with pytest.raises(CommandError, match=message) as caught:
        run("due", *args)
    assert caught.value.returncode == 2


@pytest.mark.django_db
def test_days_command_lists_the_year():
    out = run("days", "--year", "2026").splitlines()
    assert len(out) == 366
    assert "2026-06-27 Sat shortened 08:30–16:00" in out[177]
    assert out[-1] == "# 2026: 250 working days (6 shortened), 115 days off, 2119 working hours"
    notable = run("days", "--year", "2025", "--only", "notable")
    assert "2025-11-08 Sat shortened" in notable
    assert "2025-05-05 Mon day off" in notable
    assert "2025-05-13" not in notable


@pytest.mark.django_db(transaction=True)
def test_the_console_script_prints_one_line_and_exits_2_on_bad_input(tmp_path):
    from django.db import connection

    if connection.vendor == "sqlite":
        url = f"sqlite:///{connection.settings_dict['NAME']}"
    else:
        s = connection.settings_dict
        url = f"postgres://{s.get('USER') or 'postgres'}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"
    env = {"DATABASE_URL": url, "PATH": "/usr/bin:/bin", "CHARTERDESK_VAR_DIR": str(tmp_path)}
    base = [
        sys.executable,
        "-m",
        "charterdesk",
        "calendar",
        "due",
        "--commitment",
        "EMAIL-REPLY-1BD",
    ]
    done = subprocess.run(
        [*base, "--received", "2025-05-01T10:00:00+03:00"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (0, "2025-05-07T08:30:00+03:00\n"), done.stderr
    done = subprocess.run(
        [*base, "--received", "2025-05-01 10:00"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert "no UTC offset" in done.stderr
