"""Who sees which figures — one rule (``cases.access.figures_access``, on the principal) for the
report, its drill-down, its exports and the header's links; tested for each role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client as HttpClient

from charterdesk.cases.access import figures_access, may_run_campaigns
from charterdesk.reports.access import report_scope
from charterdesk.reports.drilldown import drilldown
from charterdesk.reports.figures import Period, Scope
from charterdesk.sla.models import Timer
from tests.security.conftest import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def test_each_role_reads_the_figures_the_one_rule_gives(world):
    team_a = world.team_a.pk
    # the quality manager: every team's
    assert figures_access(world.dace.user).everything
    assert report_scope(world.dace.user) == Scope.everything()
    # a team lead: the teams they lead (and so the employees in them)
    assert figures_access(world.laura.user).team_ids == {team_a}
    assert report_scope(world.laura.user) == Scope((team_a,))
    world.team_b.lead = world.laura
    world.team_b.save(update_fields=["lead"])
    laura = type(world.laura.user).objects.get(pk=world.laura.user.pk)  # a new request
    assert report_scope(laura) == Scope(tuple(sorted({team_a, world.team_b.pk})))
    # a plain employee, an administrator without an employee profile, nobody signed in: none
    for who in (world.anna.user, world.ilze.user, world.admin, AnonymousUser()):
        assert figures_access(who) is None and report_scope(who) is None, who
    assert report_scope(None) is None  # no user is no reader (the system is ``by=None`` only)
    # an inactive quality manager reads nothing
    world.dace.is_active = False
    world.dace.save(update_fields=["is_active"])
    assert figures_access(type(world.admin).objects.get(pk=world.dace.user.pk)) is None
    # campaigns: the quality manager's only
    assert may_run_campaigns(world.laura.user) is False
    assert may_run_campaigns(world.anna.user) is False
    assert may_run_campaigns(world.admin) is False


def _nav(user) -> str:
    client = HttpClient()
    client.force_login(user)
    return client.get("/en/").content.decode()


def test_the_header_links_the_report_and_the_campaigns_for_whom_may_open_them(world):
    anna = _nav(world.anna.user)
    assert 'id="nav-reports"' not in anna and 'id="nav-campaigns"' not in anna
    laura = _nav(world.laura.user)
    assert 'id="nav-reports"' in laura and ">Compliance report</a>" in laura
    assert 'id="nav-campaigns"' not in laura
    dace = _nav(world.dace.user)
    assert 'href="/en/reports/" id="nav-reports"' in dace
    assert 'href="/en/feedback/campaigns/" id="nav-campaigns"' in dace
    client = HttpClient()
    client.force_login(world.dace.user)
    lv = client.get("/", HTTP_ACCEPT_LANGUAGE="lv").content.decode()
    assert ">Atbilstības pārskats</a>" in lv and ">Aptauju kampaņas</a>" in lv
    # the page the link opens marks itself as the current one
    report = client.get("/en/reports/").content.decode()
    assert 'id="nav-reports" aria-current="page"' in report


def test_the_drilldown_lists_only_cases_the_reader_may_see_though_the_figures_count_them(world):
    # One broken EMAIL-ACK timer on each case of the world, due in January.
    from datetime import datetime
    from zoneinfo import ZoneInfo

    due = datetime(2026, 1, 15, 12, tzinfo=ZoneInfo("Europe/Riga"))
    for case in world.cases.values():
        Timer.objects.create(
            case=case,
            commitment_id="EMAIL-ACK",
            started_at=due,
            due_at=due,
            status="breached",
            breached_at=due,
        )
    period = Period.month_of(2026, 1)
    as_of = datetime(2026, 2, 1, tzinfo=ZoneInfo("Europe/Riga"))

    def listed(user) -> set[str]:
        scope = report_scope(user)
        assert scope is not None
        page = drilldown(
            commitment_id="EMAIL-ACK", period=period, scope=scope, as_of=as_of, viewer=user
        )
        return {k for k, c in world.cases.items() for r in page.rows if r.timer.case_id == c.pk}

    # the quality manager: every case that is not confidential (cases.access)
    assert listed(world.dace.user) == {"anna", "janis", "laura", "ilze"}
    # the team lead: the cases of the team they lead
    assert listed(world.laura.user) == {"anna", "janis", "laura"}
    # a plain employee reads no figures at all
    assert report_scope(world.anna.user) is None


def test_whether_one_leads_a_team_is_read_with_the_employee(world):
    """The signed-in employee is read with ``leads_a_team``: for one who leads none, no page
    asks the database for the teams led (the header's report link, the access rules); for a
    lead the teams are read as before, and a lead named since the last request is seen."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def led_queries(user) -> tuple[list[str], str]:
        client = HttpClient()
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            page = client.get("/en/").content.decode()
        sql = [q["sql"] for q in ctx.captured_queries]
        return [s for s in sql if s.startswith('SELECT "directory_team"."id"')], page

    queries, page = led_queries(world.anna.user)
    assert queries == [] and 'id="nav-reports"' not in page
    queries, page = led_queries(world.laura.user)
    assert len(queries) == 1 and 'id="nav-reports"' in page
    world.team_b.lead = world.anna
    world.team_b.save(update_fields=["lead"])
    queries, page = led_queries(world.anna.user)
    assert len(queries) == 1 and 'id="nav-reports"' in page
