"""Working-time arithmetic against hand-checked tables (Mon–Fri 08:30–17:00, Europe/Riga).

Every expectation was worked out by hand from the 2025/2026 calendars in test_national.py; the
same rows are the table in docs/business-time.md.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from charterdesk.calendar.business import BusinessCalendar, CalendarError

RIGA = ZoneInfo("Europe/Riga")
CAL = BusinessCalendar({d: [(time(8, 30), time(17, 0))] for d in range(5)})


def T(text: str) -> datetime:
    return datetime.fromisoformat(text)


# arrival -> (end of the same working day, + 1 working day)
TABLE = [
    # a working morning
    ("2025-05-13T10:00+03:00", "2025-05-13T17:00+03:00", "2025-05-14T10:00+03:00"),
    # late afternoon
    ("2025-05-13T16:30+03:00", "2025-05-13T17:00+03:00", "2025-05-14T16:30+03:00"),
    # exactly at closing: after hours
    ("2025-05-13T17:00+03:00", "2025-05-14T17:00+03:00", "2025-05-15T08:30+03:00"),
    # after hours
    ("2025-05-13T18:00+03:00", "2025-05-14T17:00+03:00", "2025-05-15T08:30+03:00"),
    # before opening on a working day
    ("2025-05-13T07:10+03:00", "2025-05-13T17:00+03:00", "2025-05-14T08:30+03:00"),
    # a Friday afternoon: over the weekend
    ("2025-05-16T15:00+03:00", "2025-05-16T17:00+03:00", "2025-05-19T15:00+03:00"),
    # a Saturday
    ("2025-05-17T11:00+03:00", "2025-05-19T17:00+03:00", "2025-05-20T08:30+03:00"),
    # on a public holiday (1 May), then a moved day off (2 May), a weekend and the observed 5 May
    ("2025-05-01T10:00+03:00", "2025-05-06T17:00+03:00", "2025-05-07T08:30+03:00"),
    # on the moved day off itself
    ("2025-05-02T09:00+03:00", "2025-05-06T17:00+03:00", "2025-05-07T08:30+03:00"),
    # on a moved day off before a holiday (17 Nov, then 18 Nov)
    ("2025-11-17T10:00+02:00", "2025-11-19T17:00+02:00", "2025-11-20T08:30+02:00"),
    # the day before a worked Saturday: the answer is due on the Saturday
    ("2025-05-09T10:00+03:00", "2025-05-09T17:00+03:00", "2025-05-10T10:00+03:00"),
    # on a worked Saturday that is itself shortened (Mother's Day follows): closes 16:00
    ("2025-05-10T10:00+03:00", "2025-05-10T16:00+03:00", "2025-05-12T10:00+03:00"),
    # on a worked Saturday (full day)
    ("2026-01-17T10:00+02:00", "2026-01-17T17:00+02:00", "2026-01-19T10:00+02:00"),
    # on the eve of a holiday (shortened to 16:00), morning
    ("2025-12-23T10:00+02:00", "2025-12-23T16:00+02:00", "2025-12-29T10:00+02:00"),
    # on the eve of a holiday, after its shortened closing
    ("2025-12-23T16:30+02:00", "2025-12-29T17:00+02:00", "2025-12-30T08:30+02:00"),
    # the next day is shortened and closes before the clock time: its closing
    ("2025-12-22T16:30+02:00", "2025-12-22T17:00+02:00", "2025-12-23T16:00+02:00"),
    # across the spring DST change (Sun 30 Mar 2025, 03:00 -> 04:00)
    ("2025-03-28T10:00+02:00", "2025-03-28T17:00+02:00", "2025-03-31T10:00+03:00"),
    # during the night of the spring change
    ("2025-03-30T04:30+03:00", "2025-03-31T17:00+03:00", "2025-04-01T08:30+03:00"),
    # across the autumn DST change (Sun 26 Oct 2025, 04:00 -> 03:00)
    ("2025-10-24T10:00+03:00", "2025-10-24T17:00+03:00", "2025-10-27T10:00+02:00"),
    # in the repeated hour of the autumn change
    ("2025-10-26T03:30+02:00", "2025-10-27T17:00+02:00", "2025-10-28T08:30+02:00"),
    # 2026: the eve of Līgo moved to Sat 27 Jun (shortened), the Friday before
    ("2026-06-19T11:00+03:00", "2026-06-19T17:00+03:00", "2026-06-25T11:00+03:00"),
    ("2026-06-26T16:45+03:00", "2026-06-26T17:00+03:00", "2026-06-27T16:00+03:00"),
    # New Year: 31 Dec, 1 Jan holidays, 2 Jan moved
    ("2025-12-31T12:00+02:00", "2026-01-05T17:00+02:00", "2026-01-06T08:30+02:00"),
    ("2025-12-30T12:00+02:00", "2025-12-30T16:00+02:00", "2026-01-05T12:00+02:00"),
]


@pytest.mark.parametrize("arrival,same_day,one_day", TABLE)
def test_same_day_and_one_working_day(arrival, same_day, one_day):
    assert CAL.end_of_working_day(T(arrival)) == T(same_day)
    assert CAL.add_working_days(T(arrival), 1) == T(one_day)


@pytest.mark.parametrize(
    "moment,working,next_moment",
    [
        ("2025-05-13T08:30+03:00", True, "2025-05-13T08:30+03:00"),
        ("2025-05-13T16:59:59+03:00", True, "2025-05-13T16:59:59+03:00"),
        ("2025-05-13T17:00+03:00", False, "2025-05-14T08:30+03:00"),
        ("2025-05-10T09:00+03:00", True, "2025-05-10T09:00+03:00"),  # worked Saturday
        ("2025-05-10T16:30+03:00", False, "2025-05-12T08:30+03:00"),  # ... shortened to 16:00
        ("2025-05-17T09:00+03:00", False, "2025-05-19T08:30+03:00"),
        ("2025-05-05T09:00+03:00", False, "2025-05-06T08:30+03:00"),  # observed day off
        ("2025-12-23T15:59+02:00", True, "2025-12-23T15:59+02:00"),
        ("2025-12-23T16:00+02:00", False, "2025-12-29T08:30+02:00"),
    ],
)
def test_is_working_and_next_working_moment(moment, working, next_moment):
    assert CAL.is_working(T(moment)) is working
    assert CAL.next_working_moment(T(moment)) == T(next_moment)


@pytest.mark.parametrize(
    "start,hours,expected",
    [
        ("2025-05-13T10:00+03:00", 4, "2025-05-13T14:00+03:00"),
        ("2025-05-13T13:00+03:00", 4, "2025-05-13T17:00+03:00"),  # lands on the closing
        ("2025-05-13T15:00+03:00", 4, "2025-05-14T10:30+03:00"),
        ("2025-05-13T18:00+03:00", 4, "2025-05-14T12:30+03:00"),
        ("2025-05-16T16:00+03:00", 1.5, "2025-05-19T09:00+03:00"),
        ("2025-12-23T15:00+02:00", 4, "2025-12-29T11:30+02:00"),  # shortened eve, then 5 days off
        ("2025-03-28T16:00+02:00", 2, "2025-03-31T09:30+03:00"),  # spring DST
        ("2025-10-24T16:00+03:00", 4, "2025-10-27T11:30+02:00"),  # autumn DST
        ("2025-05-13T10:30+03:00", -2, "2025-05-13T08:30+03:00"),
        ("2025-05-14T10:30+03:00", -2, "2025-05-14T08:30+03:00"),
        ("2025-05-14T09:30+03:00", -2, "2025-05-13T16:00+03:00"),
        ("2025-05-19T09:00+03:00", -1.5, "2025-05-16T16:00+03:00"),
        ("2025-05-13T10:00+03:00", 8.5 * 3, "2025-05-16T10:00+03:00"),
    ],
)
def test_add_working_hours(start, hours, expected):
    assert CAL.add_working_hours(T(start), hours) == T(expected)
    assert CAL.add_working_hours(T(start), timedelta(hours=hours)) == T(expected)


@pytest.mark.parametrize(
    "a,b,expected",
    [
        ("2025-05-13T10:00+03:00", "2025-05-13T12:00+03:00", timedelta(hours=2)),
        ("2025-05-13T10:00+03:00", "2025-05-14T10:00+03:00", timedelta(hours=8, minutes=30)),
        ("2025-05-16T18:00+03:00", "2025-05-19T08:00+03:00", timedelta(0)),
        ("2025-03-28T10:00+02:00", "2025-03-31T10:00+03:00", timedelta(hours=8, minutes=30)),
        ("2025-10-24T10:00+03:00", "2025-10-27T10:00+02:00", timedelta(hours=8, minutes=30)),
        ("2025-12-23T08:30+02:00", "2025-12-29T08:30+02:00", timedelta(hours=7, minutes=30)),
        ("2025-05-14T10:00+03:00", "2025-05-13T10:00+03:00", -timedelta(hours=8, minutes=30)),
        (
            "2025-04-28T00:00+03:00",
            "2025-05-12T00:00+03:00",
            timedelta(hours=66),
        ),  # 6 full days + 30 Apr and Sat 10 May (7.5 h)
    ],
)
def test_working_time_between(a, b, expected):
    assert CAL.working_time_between(T(a), T(b)) == expected


def test_add_working_days_several_and_zero():
    assert CAL.add_working_days(T("2025-12-22T10:00+02:00"), 3) == T("2025-12-30T10:00+02:00")
    assert CAL.add_working_days(T("2025-05-13T18:00+03:00"), 0) == T("2025-05-14T08:30+03:00")
    assert CAL.add_working_days(T("2025-05-13T10:00+03:00"), 5) == T("2025-05-20T10:00+03:00")


def test_lunch_break_and_different_weekday_hours():
    cal = BusinessCalendar(
        {
            0: [(time(9, 0), time(12, 0)), (time(13, 0), time(18, 0))],
            1: [(time(9, 0), time(12, 0)), (time(13, 0), time(18, 0))],
            2: [(time(10, 0), time(14, 0))],
        }
    )
    # Mon 12:30 is in the break: counts from 13:00; Tuesday 13:00
    assert cal.is_working(T("2025-05-12T12:30+03:00")) is False
    assert cal.add_working_days(T("2025-05-12T12:30+03:00"), 1) == T("2025-05-13T13:00+03:00")
    # Tue 11:00 -> Wed opens 10:00, closes 14:00: 11:00
    assert cal.add_working_days(T("2025-05-13T11:00+03:00"), 1) == T("2025-05-14T11:00+03:00")
    # Tue 16:00 -> Wed closes at 14:00: 14:00
    assert cal.add_working_days(T("2025-05-13T16:00+03:00"), 1) == T("2025-05-14T14:00+03:00")
    # Tue 09:15 -> Wed opens at 10:00
    assert cal.add_working_days(T("2025-05-13T09:15+03:00"), 1) == T("2025-05-14T10:00+03:00")
    # Wed 13:00 -> next working day is Monday
    assert cal.add_working_days(T("2025-05-14T13:00+03:00"), 1) == T("2025-05-19T13:00+03:00")
    assert cal.add_working_hours(T("2025-05-12T11:00+03:00"), 2) == T("2025-05-12T14:00+03:00")
    assert cal.working_time_between(
        T("2025-05-12T11:00+03:00"), T("2025-05-12T14:00+03:00")
    ) == timedelta(hours=2)


def test_exceptions_win_and_worked_saturday_takes_the_moved_days_hours():
    from datetime import date

    cal = BusinessCalendar(
        {d: [(time(8, 30), time(17, 0))] for d in range(4)} | {4: [(time(8, 30), time(16, 0))]},
        exceptions={date(2025, 5, 13): [], date(2025, 5, 1): [(time(10, 0), time(12, 0))]},
    )
    assert cal.day(date(2025, 5, 13)).kind == "off"
    assert cal.day(date(2025, 5, 1)).intervals == ((time(10, 0), time(12, 0)),)
    # Sat 10 May 2025 replaces Fri 2 May (08:30–16:00) and is shortened (Mother's Day): 15:00
    assert cal.day(date(2025, 5, 10)).intervals == ((time(8, 30), time(15, 0)),)
    # Sat 17 Jan 2026 replaces Fri 2 Jan: Friday hours
    assert cal.day(date(2026, 1, 17)).intervals == ((time(8, 30), time(16, 0)),)


def test_results_are_in_riga_time_and_inputs_may_be_any_zone():
    utc = datetime(2025, 5, 13, 7, 0, tzinfo=ZoneInfo("UTC"))  # 10:00 in Riga
    due = CAL.add_working_days(utc, 1)
    assert due == T("2025-05-14T10:00+03:00")
    assert due.tzinfo == RIGA


def test_naive_datetimes_are_refused():
    with pytest.raises(CalendarError, match="no time zone"):
        CAL.is_working(datetime(2025, 5, 13, 10, 0))  # noqa: DTZ001


def test_far_years_are_computed_on_demand():
    cal = BusinessCalendar()
    # 30 Dec 2030 is the (shortened) eve of 31 Dec; 1 Jan 2031 a holiday
    assert cal.add_working_days(T("2030-12-30T10:00+02:00"), 1) == T("2031-01-02T10:00+02:00")
    assert cal.add_working_hours(T("2031-01-02T09:30+02:00"), -2) == T("2030-12-30T15:00+02:00")
    assert cal.add_working_days(T("2019-05-13T10:00+03:00"), 250).year == 2020
