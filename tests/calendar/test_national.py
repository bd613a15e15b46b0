"""Latvia's national calendar for 2025 and 2026, hand-checked.

Sources for the expectations: the law "On Public Holidays, Commemoration and Celebration Days";
Cabinet orders "Par darba dienu pārcelšanu 2025. gadā" (2 May -> Sat 10 May, 17 Nov -> Sat 8 Nov)
and "… 2026. gadā" (2 Jan -> Sat 17 Jan, 22 Jun -> Sat 27 Jun); Labour Law s. 135 (the working day
before a public holiday is one hour shorter; a worked Saturday keeps the shortening of the day moved
onto it).  The monthly totals are those published for a 40-hour week (8-hour days).
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from charterdesk.calendar.business import BusinessCalendar
from charterdesk.calendar.kinds import DayKind
from charterdesk.calendar.national import latvian_days

HOLIDAY, DAY_OFF, WORKING = DayKind.HOLIDAY, DayKind.DAY_OFF, DayKind.WORKING

NATIONAL_2025 = {
    date(2025, 1, 1): HOLIDAY,
    date(2025, 4, 18): HOLIDAY,  # Good Friday
    date(2025, 4, 20): HOLIDAY,
    date(2025, 4, 21): HOLIDAY,  # Easter Monday
    date(2025, 5, 1): HOLIDAY,
    date(2025, 5, 2): DAY_OFF,  # moved to Sat 10 May
    date(2025, 5, 4): HOLIDAY,  # a Sunday ...
    date(2025, 5, 5): DAY_OFF,  # ... so Monday is the observed day off
    date(2025, 5, 10): WORKING,  # worked for 2 May
    date(2025, 5, 11): HOLIDAY,  # Mother's Day (Sunday)
    date(2025, 6, 8): HOLIDAY,  # Pentecost (Sunday)
    date(2025, 6, 23): HOLIDAY,
    date(2025, 6, 24): HOLIDAY,
    date(2025, 11, 8): WORKING,  # worked for 17 Nov
    date(2025, 11, 17): DAY_OFF,
    date(2025, 11, 18): HOLIDAY,
    date(2025, 12, 24): HOLIDAY,
    date(2025, 12, 25): HOLIDAY,
    date(2025, 12, 26): HOLIDAY,
    date(2025, 12, 31): HOLIDAY,
}
NATIONAL_2026 = {
    date(2026, 1, 1): HOLIDAY,
    date(2026, 1, 2): DAY_OFF,  # moved to Sat 17 Jan
    date(2026, 1, 17): WORKING,
    date(2026, 4, 3): HOLIDAY,
    date(2026, 4, 5): HOLIDAY,
    date(2026, 4, 6): HOLIDAY,
    date(2026, 5, 1): HOLIDAY,
    date(2026, 5, 4): HOLIDAY,  # a Monday: no observed day
    date(2026, 5, 10): HOLIDAY,
    date(2026, 5, 24): HOLIDAY,
    date(2026, 6, 22): DAY_OFF,  # moved to Sat 27 Jun
    date(2026, 6, 23): HOLIDAY,
    date(2026, 6, 24): HOLIDAY,
    date(2026, 6, 27): WORKING,
    date(2026, 11, 18): HOLIDAY,
    date(2026, 12, 24): HOLIDAY,
    date(2026, 12, 25): HOLIDAY,
    date(2026, 12, 26): HOLIDAY,  # a Saturday
    date(2026, 12, 31): HOLIDAY,
}


@pytest.mark.parametrize("year,expected", [(2025, NATIONAL_2025), (2026, NATIONAL_2026)])
def test_national_day_kinds(year, expected):
    got = {day: info.kind for day, info in latvian_days(year).items()}
    assert got == expected


def test_worked_saturdays_know_the_day_they_replace():
    assert latvian_days(2025)[date(2025, 5, 10)].replaces == date(2025, 5, 2)
    assert latvian_days(2025)[date(2025, 11, 8)].replaces == date(2025, 11, 17)
    assert latvian_days(2026)[date(2026, 1, 17)].replaces == date(2026, 1, 2)
    assert latvian_days(2026)[date(2026, 6, 27)].replaces == date(2026, 6, 22)


SHORTENED = {
    2025: [
        date(2025, 4, 17),  # before Good Friday
        date(2025, 4, 30),  # before 1 May
        date(2025, 5, 10),  # worked Saturday before Mother's Day
        date(2025, 11, 8),  # worked Saturday carrying 17 Nov, the eve of 18 Nov
        date(2025, 12, 23),
        date(2025, 12, 30),
    ],
    2026: [
        date(2026, 4, 2),
        date(2026, 4, 30),
        date(2026, 6, 27),  # worked Saturday carrying 22 Jun, the eve of Līgo
        date(2026, 11, 17),
        date(2026, 12, 23),
        date(2026, 12, 30),
    ],
}


@pytest.mark.parametrize("year", [2025, 2026])
def test_shortened_days(year):
    cal = BusinessCalendar({d: [(time(8, 30), time(17, 0))] for d in range(5)})
    assert [p.date for p in cal.days(year) if p.kind == "shortened"] == SHORTENED[year]
    for day in SHORTENED[year]:
        assert cal.day(day).intervals == ((time(8, 30), time(16, 0)),)


def _month(cal: BusinessCalendar, year: int, month: int) -> tuple[int, float]:
    plans = [p for p in cal.days(year) if p.date.month == month and p.working]
    return len(plans), sum(p.duration.total_seconds() for p in plans) / 3600


@pytest.mark.parametrize(
    "year,month,days,hours",
    [
        (2025, 4, 20, 158),  # 22 weekdays - Good Friday - Easter Monday; 17 and 30 Apr shortened
        (2025, 5, 20, 159),  # - 1, 2, 5 May + Sat 10 May (shortened)
        (2025, 6, 19, 152),  # - 23, 24 Jun; 22 Jun is a Sunday: nothing shortened
        (2025, 11, 19, 151),  # - 17, 18 Nov + Sat 8 Nov (shortened)
        (2025, 12, 19, 150),  # 23 and 30 Dec shortened
        (2026, 1, 21, 168),  # - 1, 2 Jan + Sat 17 Jan (not shortened)
        (2026, 6, 20, 159),  # - 22, 23, 24 Jun + Sat 27 Jun (shortened)
        (2026, 11, 20, 159),
        (2026, 12, 20, 158),  # 26 Dec is a Saturday
    ],
)
def test_monthly_totals_of_a_forty_hour_week(year, month, days, hours):
    cal = BusinessCalendar(
        {d: [(time(8, 0), time(12, 0)), (time(13, 0), time(17, 0))] for d in range(5)}
    )
    assert _month(cal, year, month) == (days, hours)


def test_year_totals():
    cal = BusinessCalendar(
        {d: [(time(8, 0), time(12, 0)), (time(13, 0), time(17, 0))] for d in range(5)}
    )
    # 2025: 261 weekdays - 14 weekday days off (holidays, observed 5 May, moved 2 May and 17 Nov)
    # + 2 worked Saturdays; 2026: 261 - 13 + 2.
    assert sum(1 for p in cal.days(2025) if p.working) == 249
    assert sum(1 for p in cal.days(2026) if p.working) == 250


def test_shortening_cuts_across_a_break():
    weekly = {d: [(time(8, 0), time(12, 0)), (time(12, 30), time(13, 0))] for d in range(5)}
    cal = BusinessCalendar(weekly)
    assert cal.day(date(2025, 12, 23)).intervals == ((time(8, 0), time(11, 30)),)
    cal = BusinessCalendar(weekly, shortening=timedelta(minutes=90))
    assert cal.day(date(2025, 12, 23)).intervals == ((time(8, 0), time(11, 0)),)


@pytest.mark.parametrize("language", ["lv", "en"])
def test_latvia_loaded_alone_gives_the_packages_days(language: str) -> None:
    """``national._latvia`` loads only the module of Latvia (not the package's 250 countries):
    the same days, names and moved working days as ``holidays.country_holidays("LV")``."""
    import holidays

    from charterdesk.calendar import national

    latvia = national._latvia()
    assert latvia is not national._entry_point  # the module was loaded by itself
    for year in range(2000, 2031):
        for observed in (True, False):
            alone = latvia(years=year, observed=observed, language=language)
            package = holidays.country_holidays(
                "LV", years=year, observed=observed, language=language
            )
            assert dict(alone.items()) == dict(package.items()), (year, observed)
            assert alone.weekend_workdays == package.weekend_workdays, year
            assert alone.special_public_holidays == package.special_public_holidays


def test_a_deadline_imports_no_other_country() -> None:
    """Computing Latvia's days in a fresh process loads no other country's module."""
    import subprocess
    import sys

    code = (
        "import sys; from charterdesk.calendar.national import latvian_days; "
        "latvian_days(2026); latvian_days(2027, 'en'); "
        "print(sorted(m for m in sys.modules if m.startswith('holidays.countries')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
