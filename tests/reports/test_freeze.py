"""A closed month is frozen with its policy and calendar; a recomputation is explicit and recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from charterdesk.reports.figures import Counts, Period, Scope, compliance_report
from charterdesk.reports.freeze import PeriodError, period_close, period_recompute
from charterdesk.reports.models import ClosedPeriod, Recomputation
from charterdesk.standard import get_policy
from tests.reports.conftest import AS_OF, _timer

pytestmark = pytest.mark.django_db
NOV = Period.month_of(2026, 11)
R = "EMAIL-REPLY-1BD"


@pytest.fixture
def policy_file(settings, tmp_path):
    """A copy of the policy the test may edit; the cached policy is forgotten before and after."""
    original = Path(settings.CHARTERDESK_POLICY)
    path = tmp_path / "altum.toml"
    path.write_text(original.read_text(encoding="utf-8"), encoding="utf-8")
    settings.CHARTERDESK_POLICY = str(path)
    get_policy.cache_clear()
    yield path
    get_policy.cache_clear()


def test_a_closed_month_keeps_its_figures_and_target(month, policy_file):
    closed = period_close(month="2026-11", now=AS_OF)
    assert closed.policy_text == policy_file.read_text(encoding="utf-8")
    # Afterwards: a target changes, and a late row appears in November.
    text = policy_file.read_text(encoding="utf-8")
    at = text.index(f'id = "{R}"')
    policy_file.write_text(
        text[:at] + text[at:].replace("target_rate = 0.95", "target_rate = 0.5", 1),
        encoding="utf-8",
    )
    get_policy.cache_clear()
    _timer(month.cases["c1"], R, month.timers["c1k"].due_at, "b")
    report = compliance_report(period=NOV, scope=Scope.everything(), as_of=AS_OF)
    reply = report.figure(R)
    assert report.frozen_months == ["2026-11"] and report.live_months == [
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
        "2026-05",
        "2026-06",
        "2026-07",
        "2026-08",
        "2026-09",
        "2026-10",
    ]
    assert reply.total == Counts(4, 1, 2)  # not the late row
    assert reply.target_rate == 0.95  # the target it was closed with
    assert report.policy[R].target_rate == 0.95
    # the frozen cube answers a team lead too
    t1 = compliance_report(period=NOV, scope=Scope((month.teams["t1"].pk,)), as_of=AS_OF)
    assert t1.figure(R).total == Counts(3, 1, 1)
    # the year report uses today's policy, November from the freeze
    year = compliance_report(period=Period.year_of(2026), scope=Scope.everything(), as_of=AS_OF)
    assert year.figure(R).trend["2026-11"] == Counts(4, 1, 2)
    assert year.figure(R).target_rate == 0.5


def test_recomputing_is_explicit_and_recorded(month, policy_file, django_user_model):
    period_close(month="2026-11", now=AS_OF)
    with pytest.raises(PeriodError, match="already closed"):
        period_close(month="2026-11", now=AS_OF)
    with pytest.raises(PeriodError, match="needs a reason"):
        period_recompute(month="2026-11", reason="  ", now=AS_OF)
    _timer(month.cases["c1"], R, month.timers["c1k"].due_at, "b")
    manager = django_user_model.objects.create_user(username="qm", password="pw-test-123456")
    record = period_recompute(
        month="2026-11", reason="a breach entered late by the phone part", by=manager, now=AS_OF
    )
    assert record.by == manager and record.reason.startswith("a breach")
    assert record.totals_before[R] == {"kept": 4, "explained": 1, "broken": 2, "applied": 0}
    assert record.totals_after[R] == {"kept": 4, "explained": 1, "broken": 3, "applied": 0}
    assert Recomputation.objects.count() == 1
    report = compliance_report(period=NOV, scope=Scope.everything(), as_of=AS_OF)
    assert report.figure(R).total == Counts(4, 1, 3)
    assert ClosedPeriod.objects.get(month="2026-11").recomputed_at == AS_OF


def test_a_month_not_over_cannot_be_closed(month):
    with pytest.raises(PeriodError, match="has not ended yet"):
        period_close(month="2026-12", now=AS_OF)
    with pytest.raises(PeriodError, match="only a month"):
        period_close(month="2026", now=AS_OF)
    with pytest.raises(PeriodError, match="not a period"):
        period_close(month="11/2026", now=AS_OF)
    with pytest.raises(PeriodError, match="not closed"):
        period_recompute(month="2026-10", reason="x", now=AS_OF)


def test_stored_day_cubes_give_exactly_the_live_figures(month):
    from charterdesk.reports.cubes import cubes_build
    from charterdesk.reports.figures import compute_report
    from charterdesk.reports.models import DayCube

    assert cubes_build(now=AS_OF) == DayCube.objects.count() > 30  # 31 Oct … 30 Nov
    assert cubes_build(now=AS_OF) == 0  # nothing new
    from charterdesk.reports.models import MonthCube

    # November has every day: merged into its month cube; October only its last day: none
    assert list(MonthCube.objects.values_list("month", flat=True)) == ["2026-11"]
    for period in (NOV, Period.month_of(2026, 12), Period.year_of(2026)):
        for scope in (Scope.everything(), Scope((month.teams["t1"].pk,))):
            stored = compliance_report(period=period, scope=scope, as_of=AS_OF)
            live = compute_report(period=period, scope=scope, as_of=AS_OF)
            assert [
                (f.commitment_id, f.total, f.splits, f.trend, f.applied) for f in stored.figures
            ] == [(f.commitment_id, f.total, f.splits, f.trend, f.applied) for f in live.figures]
            assert stored.satisfaction == live.satisfaction
    # a cube counted with another policy file is not used: the figures are counted live
    DayCube.objects.update(cube=[], policy_sha256="0" * 64)
    assert compliance_report(period=NOV, scope=Scope.everything(), as_of=AS_OF).figure(
        R
    ).total == Counts(4, 1, 2)
