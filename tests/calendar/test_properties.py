"""Properties of the arithmetic (hypothesis): due moments lie in working time, adding working time
is monotonic and additive, and it agrees with working_time_between."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from charterdesk.calendar.business import BusinessCalendar

UTC = ZoneInfo("UTC")
CALENDARS = [
    BusinessCalendar({d: [(time(8, 30), time(17, 0))] for d in range(5)}),
    # a break, short Fridays, an office open on Saturdays and an exception
    BusinessCalendar(
        {d: [(time(8, 0), time(12, 0)), (time(13, 0), time(17, 0))] for d in range(4)}
        | {4: [(time(8, 0), time(15, 0))], 5: [(time(10, 0), time(14, 0))]},
        exceptions={date(2025, 8, 14): [], date(2026, 3, 9): [(time(11, 0), time(12, 0))]},
    ),
    # an office working at night across the DST changes (03:00-04:00 does not exist in spring)
    BusinessCalendar(
        {d: [(time(1, 0), time(5, 0)), (time(20, 0), time(23, 30))] for d in range(7)}
    ),
]

moments = st.datetimes(
    min_value=datetime(2024, 12, 1),  # noqa: DTZ001 (hypothesis adds the zone)
    max_value=datetime(2027, 1, 31),  # noqa: DTZ001
    timezones=st.just(ZoneInfo("Europe/Riga")),
)
calendars = st.sampled_from(CALENDARS)
spans = st.integers(min_value=0, max_value=40 * 3600 * 10**6).map(
    lambda us: timedelta(microseconds=us)
)


def u(moment: datetime) -> datetime:
    # Aware datetimes sharing one tzinfo compare by wall clock (PEP 495); compare instants.
    return moment.astimezone(UTC)


def in_working_time_or_closing(cal: BusinessCalendar, moment: datetime) -> bool:
    return cal.is_working_or_closing(moment)


@settings(max_examples=300, deadline=None)
@given(cal=calendars, start=moments, days=st.integers(min_value=0, max_value=30))
def test_a_due_moment_in_working_days_is_never_outside_working_time(cal, start, days):
    due = cal.add_working_days(start, days)
    assert in_working_time_or_closing(cal, due)
    assert u(due) >= u(start)
    assert in_working_time_or_closing(cal, cal.end_of_working_day(start))


@settings(max_examples=300, deadline=None)
@given(cal=calendars, start=moments, span=spans)
def test_a_due_moment_in_working_hours_is_never_outside_working_time(cal, start, span):
    due = cal.add_working_hours(start, span)
    assert in_working_time_or_closing(cal, due)
    assert u(due) >= u(start)


@settings(max_examples=300, deadline=None)
@given(cal=calendars, start=moments, a=spans, b=spans)
def test_adding_working_time_is_monotonic(cal, start, a, b):
    small, large = sorted((a, b))
    assert u(cal.add_working_hours(start, small)) <= u(cal.add_working_hours(start, large))


@settings(max_examples=300, deadline=None)
@given(cal=calendars, s1=moments, s2=moments, span=spans)
def test_adding_working_time_is_monotonic_in_the_start(cal, s1, s2, span):
    early, late = sorted((s1, s2), key=u)
    assert u(cal.add_working_hours(early, span)) <= u(cal.add_working_hours(late, span))
    assert u(cal.add_working_days(early, 1)) <= u(cal.add_working_days(late, 1))


@settings(max_examples=300, deadline=None)
@given(cal=calendars, start=moments, a=spans, b=spans)
def test_adding_working_time_is_additive(cal, start, a, b):
    once = cal.add_working_hours(start, a + b)
    assert u(once) == u(cal.add_working_hours(cal.add_working_hours(start, a), b))


@settings(max_examples=300, deadline=None)
@given(cal=calendars, start=moments, span=spans.filter(lambda s: s > timedelta(0)))
def test_working_time_between_inverts_adding(cal, start, span):
    due = cal.add_working_hours(start, span)
    assert cal.working_time_between(start, due) == span
    back = cal.add_working_hours(due, -span)
    assert cal.working_time_between(back, due) == span


@settings(max_examples=200, deadline=None)
@given(cal=calendars, a=moments, b=moments, c=moments)
def test_working_time_between_adds_up(cal, a, b, c):
    assert cal.working_time_between(a, b) + cal.working_time_between(
        b, c
    ) == cal.working_time_between(a, c)
    assert cal.working_time_between(a, b) == -cal.working_time_between(b, a)


@settings(max_examples=200, deadline=None)
@given(cal=calendars, start=moments)
def test_one_working_day_is_about_a_days_working_time(cal, start):
    # The same clock time on the next working day: never more working time than the two days hold.
    due = cal.add_working_days(start, 1)
    t0 = cal.next_working_moment(start)
    day0 = cal.day(t0.date()).duration
    day1 = cal.day(due.astimezone(cal.tz).date()).duration
    assert timedelta(0) < cal.working_time_between(start, due) <= day0 + day1


@settings(max_examples=200, deadline=None)
@given(cal=calendars, start=moments)
def test_is_working_agrees_with_the_day_plan(cal, start):
    local = start.astimezone(cal.tz)
    plan = cal.day(local.date())
    clock = local.time().replace(tzinfo=None)
    in_plan = any(a <= clock < b for a, b in plan.intervals)
    if local.dst() == timedelta(0) and local.fold == 0 and not (time(2) <= clock < time(5)):
        assert cal.is_working(start) == in_plan
    # results come back in the calendar's zone
    assert cal.next_working_moment(start.astimezone(UTC)).tzinfo in (UTC, cal.tz)
