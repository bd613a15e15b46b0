"""The inbox shows how many active cases each view holds (mine, team, unassigned, my overdue)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from charterdesk.cases.services import case_close, case_open, case_resolve, case_set_next_due_many
from charterdesk.desk.selectors import inbox_counts
from tests.desk.conftest import signed_in
from tests.factories import make_client

pytestmark = pytest.mark.django_db


def test_counts_per_view_count_only_active_cases(office):
    now = timezone.now()
    client = make_client("Skaitītājs")
    base = inbox_counts(employee=office.anna, now=now)
    overdue = case_open(client=client, channel="email", subject="a", assignee=office.anna)
    case_set_next_due_many({overdue.pk: now - timedelta(hours=1)})
    case_open(client=client, channel="email", subject="b", assignee=office.janis)  # same team
    case_open(client=client, channel="email", subject="c")  # unassigned, no team
    done = case_open(client=client, channel="email", subject="d", assignee=office.anna)
    case_resolve(case=done, by=office.anna, summary="")
    case_close(case=done, by=office.anna)
    counts = inbox_counts(employee=office.anna, now=now)
    assert counts.mine == base.mine + 1
    assert counts.team == base.team + 2
    assert counts.unassigned == base.unassigned + 1
    assert counts.overdue == base.overdue + 1
    html = signed_in(office.anna).get("/").content.decode()
    assert f'<span class="count">{counts.mine}</span>' in html
    assert f'<span class="count count-breached">{counts.overdue}</span>' in html


def test_counts_past_the_cap_read_999_plus(office, monkeypatch):
    from charterdesk.desk import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    client = make_client("Daudz")
    for subject in "abcd":
        case_open(client=client, channel="email", subject=subject, assignee=office.anna)
    assert inbox_counts(employee=office.anna, now=timezone.now()).mine == 3  # cap + 1: "2+"
    html = signed_in(office.anna).get("/").content.decode()
    assert '<span class="count">2+</span>' in html


def test_the_unassigned_count_leaves_out_cases_the_employee_may_not_see(office):
    from charterdesk.cases.services import case_set_confidential

    now = timezone.now()
    base = inbox_counts(employee=office.anna, now=now)
    hidden = case_open(client=make_client("Slepeni"), channel="email", subject="x")
    case_set_confidential(case=hidden, confidential=True, named=[], by=None)
    assert inbox_counts(employee=office.anna, now=now).unassigned == base.unassigned
