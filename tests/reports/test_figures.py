"""The compliance figures of the hand-counted month (tests/reports/conftest.py) — exactly."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charterdesk.reports.drilldown import drilldown
from charterdesk.reports.figures import Counts, Period, Scope, compute_report
from tests.reports.conftest import AS_OF

pytestmark = pytest.mark.django_db
NOV = Period.month_of(2026, 11)
R = "EMAIL-REPLY-1BD"


def c(k: int = 0, x: int = 0, b: int = 0) -> Counts:
    return Counts(k, x, b)


def test_every_figure_of_the_month_is_the_hand_count(month):
    report = compute_report(period=NOV, scope=Scope.everything(), as_of=AS_OF)
    reply = report.figure(R)
    assert reply.total == c(4, 1, 2)
    assert reply.total.counted == 7 and reply.total.rate == pytest.approx(5 / 7)
    assert reply.met_target is False  # target 95 %
    o1, o2 = (str(month.offices[k].pk) for k in ("o1", "o2"))
    p1, p2 = (str(month.programmes[k].pk) for k in ("p1", "p2"))
    e1, e2, e3 = (str(month.employees[k].pk) for k in ("e1", "e2", "e3"))
    assert reply.splits["channel"] == {"email": c(3, 1, 2), "post": c(1)}
    assert reply.splits["office"] == {o1: c(1, 0, 1), o2: c(2, 1), "": c(1, 0, 1)}
    assert reply.splits["programme"] == {p1: c(2, 1, 1), p2: c(1, 0, 1), "": c(1)}
    assert reply.splits["employee"] == {e1: c(2, 0, 1), e2: c(1, 1), e3: c(1, 0, 1)}
    assert reply.trend == {"2026-10": c(1), "2026-11": c(4, 1, 2)}
    assert reply.running == 0
    assert report.figure("TIME-ESTIMATE").total == c(0, 1, 1)
    assert report.figure("EMAIL-ACK").total == c(1, 0, 1)
    assert report.figure("EMAIL-ACK").total.rate == pytest.approx(0.5)
    mistakes = report.figure("MISTAKE-APOLOGY")
    assert mistakes.measured == "events" and mistakes.applied == 2
    assert mistakes.applied_splits["employee"] == {e1: 1, e3: 1}
    declines = report.figure("DECLINE-REASONS")
    assert declines.applied == 1 and declines.applied_trend == {"2026-11": 1}
    assert report.figure("NO-GIFTS").measured == "people"
    assert report.figure("PHONE-RING").total == c()  # a threshold: no measurements this month
    assert report.figure("PROGRAMME-CHANNELS").measured == "rule"


def test_a_team_lead_sees_their_team(month):
    t1 = Scope((month.teams["t1"].pk,))
    reply = compute_report(period=NOV, scope=t1, as_of=AS_OF).figure(R)
    assert reply.total == c(3, 1, 1) and reply.total.rate == pytest.approx(4 / 5)
    assert set(reply.splits["employee"]) == {
        str(month.employees["e1"].pk),
        str(month.employees["e2"].pk),
    }
    t2 = compute_report(period=NOV, scope=Scope((month.teams["t2"].pk,)), as_of=AS_OF)
    assert t2.figure(R).total == c(1, 0, 1)
    assert t2.figure("MISTAKE-APOLOGY").applied == 1


def test_the_month_in_progress_counts_only_what_is_due(month):
    dec = compute_report(period=Period.month_of(2026, 12), scope=Scope.everything(), as_of=AS_OF)
    reply = dec.figure(R)
    assert reply.total == c(1) and reply.running == 1
    assert reply.trend["2026-11"] == c(4, 1, 2)  # the trend runs over the year so far


def test_the_year_report_adds_up_the_months(month):
    year = compute_report(period=Period.year_of(2026), scope=Scope.everything(), as_of=AS_OF)
    reply = year.figure(R)
    assert reply.total == c(6, 1, 2)  # Oct k1 + Nov k4 x1 b2 + Dec k1
    assert year.figure("DECLINE-REASONS").applied == 2


def test_the_report_is_a_constant_number_of_queries(month):
    with CaptureQueriesContext(connection) as small:
        compute_report(period=NOV, scope=Scope.everything(), as_of=AS_OF)
    # more cases, more timers: still the same queries (no loop over cases)
    from tests.reports.conftest import _timer

    for _ in range(20):
        _timer(month.cases["c3"], R, month.timers["c1k"].due_at, "k")
    with CaptureQueriesContext(connection) as big:
        report = compute_report(period=NOV, scope=Scope.everything(), as_of=AS_OF)
    # timers, events, PHONE-RING's calls, surveys, feedback
    assert len(big.captured_queries) == len(small.captured_queries) <= 5
    assert report.figure(R).total == c(24, 1, 2)


def test_drilldown_lists_exactly_the_cases_behind_a_number(month):
    scope = Scope.everything()
    broken = drilldown(commitment_id=R, period=NOV, scope=scope, outcome="broken", as_of=AS_OF)
    assert [r.timer.pk for r in broken.rows] == [
        month.timers["c1b"].pk,
        month.timers["c4open"].pk,
    ]
    # the breached one opens on the moment it broke (its timer.breached event)
    assert broken.rows[0].breach_event_id is not None
    assert broken.rows[1].breach_event_id is None  # not swept yet: the page opens on the case
    kept = drilldown(commitment_id=R, period=NOV, scope=scope, outcome="kept", as_of=AS_OF)
    assert len(kept.rows) == 4
    e1 = str(month.employees["e1"].pk)
    mine = drilldown(
        commitment_id=R,
        period=NOV,
        scope=scope,
        outcome="all",
        dimension="employee",
        value=e1,
        as_of=AS_OF,
    )
    assert {r.timer.pk for r in mine.rows} == {month.timers[k].pk for k in ("c1k", "c1b", "c5k")}
    no_office = drilldown(
        commitment_id=R, period=NOV, scope=scope, dimension="office", value="", as_of=AS_OF
    )
    assert {r.timer.pk for r in no_office.rows} == {
        month.timers["c4k"].pk,
        month.timers["c4open"].pk,
    }
    trend_point = drilldown(commitment_id=R, period=NOV, scope=scope, month="2026-10", as_of=AS_OF)
    assert [r.timer.pk for r in trend_point.rows] == [month.timers["c2oct"].pk]
    # the team lead's drill-down holds only their team's cases
    t2 = drilldown(commitment_id=R, period=NOV, scope=Scope((month.teams["t2"].pk,)), as_of=AS_OF)
    assert {r.timer.case_id for r in t2.rows} == {month.cases["c4"].pk}


def test_drilldown_pages_by_keyset(month):
    scope = Scope.everything()
    first = drilldown(commitment_id=R, period=NOV, scope=scope, as_of=AS_OF, limit=3)
    assert len(first.rows) == 3 and first.next_cursor
    second = drilldown(
        commitment_id=R, period=NOV, scope=scope, as_of=AS_OF, limit=3, cursor=first.next_cursor
    )
    third = drilldown(
        commitment_id=R, period=NOV, scope=scope, as_of=AS_OF, limit=3, cursor=second.next_cursor
    )
    ids = [r.timer.pk for p in (first, second, third) for r in p.rows]
    assert len(ids) == 7 == len(set(ids)) and third.next_cursor is None


def test_satisfaction_and_feedback_of_the_month(month):
    report = compute_report(period=NOV, scope=Scope.everything(), as_of=AS_OF)
    sat = report.satisfaction
    assert (sat.total.sent, sat.total.answered, sat.total.score_sum) == (3, 2, 8)
    assert sat.total.response_rate == pytest.approx(2 / 3) and sat.total.average == 4.0
    assert {k: (v.sent, v.answered, v.average) for k, v in sat.splits["channel"].items()} == {
        "email": (2, 2, 4.0),
        "phone": (1, 0, None),
    }
    e1, e2, e3 = (str(month.employees[k].pk) for k in ("e1", "e2", "e3"))
    assert {k: v.average for k, v in sat.splits["employee"].items()} == {e1: 5.0, e2: 3.0, e3: None}
    assert sat.feedback == {"praise": 1, "complaint": 1, "suggestion": 1}
    assert sat.feedback_by_channel["complaint"] == {"phone": 1}
    t1 = compute_report(period=NOV, scope=Scope((month.teams["t1"].pk,)), as_of=AS_OF).satisfaction
    assert t1.total.sent == 2 and t1.feedback == {"praise": 1}
