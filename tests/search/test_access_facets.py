"""PostgreSQL: the access facets on the search documents (migration search/0002) say exactly what
the case rule says (cases/access.py), and the triggers keep them so when a case changes.

The facets alone (documents narrowed, the case rows not) must find the same cases as the rule on
the case rows: if they found fewer, a search would hide visible cases; if more, they would be
useless as a pre-filter (the rule still applies to the rows, so nothing is ever shown that may not
be)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from charterdesk.cases.access import cases_visible_to
from charterdesk.cases.models import Case
from charterdesk.cases.services import case_set_confidential
from charterdesk.search.indexing import index_cases
from charterdesk.search.query import search_cases, visible_facets
from tests.security.conftest import World, build_world

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'", reason="the facets are PostgreSQL's only"
    ),
]

QUERIES = ["labdien", "garantij", "labdien pielikuma", "zeme", "confidential"]
STATUS_SETS = [None, ["new", "open", "waiting"], ["closed"]]


@pytest.fixture
def world(db) -> World:
    return build_world()


def people(world: World) -> dict[str, object]:
    return {
        "employee": world.anna,
        "colleague": world.janis,
        "team_lead": world.laura,
        "other team": world.ilze,
        "quality_manager": world.dace,
    }


def refs(cases) -> set[str]:
    return set(cases.values_list("reference", flat=True))


def check_mirror(world: World) -> None:
    for label, who in people(world).items():
        for query in QUERIES:
            for statuses in STATUS_SETS:
                by_rule = search_cases(cases_visible_to(who), query)
                if statuses is not None:
                    by_rule = by_rule.filter(status__in=statuses)
                by_facets = search_cases(Case.objects.all(), query, who=who, statuses=statuses)
                both = search_cases(cases_visible_to(who), query, who=who, statuses=statuses)
                expected = refs(by_rule)
                assert refs(by_facets) == expected, (label, query, statuses)
                assert refs(both) == expected, (label, query, statuses)
            for deadline in (True, False):
                by_rule = search_cases(cases_visible_to(who), query).filter(
                    next_due_at__isnull=not deadline
                )
                by_facets = search_cases(Case.objects.all(), query, who=who, deadline=deadline)
                assert refs(by_facets) == refs(by_rule), (label, query, deadline)


def test_facets_find_what_the_rule_finds(world):
    assert connection.vendor == "postgresql"
    assert refs(search_cases(Case.objects.all(), "labdien")) == {
        c.reference for c in world.cases.values()
    }
    check_mirror(world)


def test_triggers_keep_the_facets_when_a_case_changes(world):
    cases = world.cases
    # Hand a case to another team's colleague (the service's path writes the same columns).
    Case.objects.filter(pk=cases["anna"].pk).update(assignee=world.ilze, team=world.team_b)
    check_mirror(world)
    # Confidential, then a colleague named on it, then no longer named.
    case = Case.objects.get(pk=cases["janis"].pk)
    case_set_confidential(case=case, by=world.janis, confidential=True, named=[world.ilze])
    check_mirror(world)
    case.refresh_from_db()
    case_set_confidential(case=case, by=world.janis, confidential=True, named=[])
    check_mirror(world)
    # Out of the programme and the team: the general queue.
    Case.objects.filter(pk=cases["laura"].pk).update(programme=None, team=None, assignee=None)
    check_mirror(world)
    # A deadline set, then cleared: the due / nodue facet follows.
    Case.objects.filter(pk=cases["named"].pk).update(next_due_at=timezone.now())
    check_mirror(world)
    Case.objects.filter(pk=cases["named"].pk).update(next_due_at=None)
    check_mirror(world)
    # Closed: the status facet follows.
    Case.objects.filter(pk=cases["ilze"].pk).update(status="closed")
    check_mirror(world)
    assert refs(search_cases(Case.objects.all(), "zeme", who=world.ilze, statuses=["closed"])) == {
        cases["ilze"].reference
    }
    # A document written again (new words) keeps the case's facets.
    index_cases([c.pk for c in cases.values()])
    check_mirror(world)


def test_the_facets_of_a_document(world):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT facets FROM search_searchdocument WHERE case_id = %s",
            [world.cases["named"].pk],
        )
        (facets,) = cursor.fetchone()
    named = world.cases["named"]
    assert sorted(facets) == sorted(
        [f"s:{named.status}", "due" if named.next_due_at else "nodue"]
        + [f"a:{world.ilze.pk}", f"n:{world.anna.pk}"]
        + ([f"t:{named.team_id}"] if named.team_id else [])
    )  # confidential: neither "pub" nor the programme


def test_who_is_not_narrowed(world):
    assert visible_facets(None) is None  # the system
    assert visible_facets(world.admin) is None  # sees nothing by that role: the rule answers
    assert visible_facets(world.dace) == [
        f"a:{world.dace.pk}",
        f"n:{world.dace.pk}",
        "pub",
    ]
