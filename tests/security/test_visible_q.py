"""``cases.access.visible_q`` with its subqueries written as ready SQL and built once per principal
finds exactly the cases the rule found before (its querysets as subqueries), and what ``may_see``
says of each case in hand [CONFIDENTIALITY].

Every combination of programme (none, one held, one not), team (none, own, led, another), assignee
(none, the person, a colleague) and confidentiality, with people named on some of them, for every
kind of person: an employee with a team and competences, a team lead (of their own team and of
another), one without team or competences, one named on cases only, a quality manager, an inactive
employee, an administrator without an employee profile, a client, the system.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from charterdesk.cases.access import cases_visible_to, may_see, visible_q
from charterdesk.cases.models import Case
from charterdesk.cases.services import case_set_confidential
from charterdesk.directory.models import Employee, Team
from charterdesk.security.principal import Principal, Role, principal_of
from tests.factories import make_client, make_employee, make_programme


def old_visible_q(who: Any) -> Q:
    """The rule as it was written before the lists (commit c82bac0), with its subqueries: the
    reference the lists must agree with."""
    p = principal_of(who)
    if p.system:
        return Q()
    if p.client_id is not None:
        return Q(client_id=p.client_id)
    if p.employee_id is None or Role.EMPLOYEE not in p.roles:
        return Q(pk__in=[])
    me = p.employee_id
    named = Case.named.through.objects.filter(employee_id=me).values("case_id")
    led = Team.objects.filter(lead_id=me).values("pk")
    close = Q(assignee_id=me) | Q(pk__in=named) | Q(team_id__in=led)
    if p.team_id is not None:
        close |= Q(team_id=p.team_id)
    if p.reads_all:
        return close | Q(confidential=False)
    held = Employee.competences.through.objects.filter(employee_id=me).values("programme_id")
    broad = Q(programme_id__isnull=True, team_id__isnull=True) | Q(programme_id__in=held)
    return close | (Q(confidential=False) & broad)


@pytest.fixture
def town(db) -> dict[str, Any]:
    p1, p2 = make_programme("housing"), make_programme("farmers")
    team_a, team_b, team_c = (Team.objects.create(name_lv=n, name_en=n) for n in "ABC")
    people: dict[str, Any] = {
        "anna": make_employee("Anna", team=team_a, competences=[p1]),
        "laura": make_employee("Laura", team=team_a, competences=[p1, p2]),  # leads A and C
        "ilze": make_employee("Ilze", team=team_b, competences=[p2]),  # leads B, her own
        "nomad": make_employee("Nomads"),  # no team, no competence, named on cases
        "nobody": make_employee("Neviens"),  # no team, no competence, named on none
        "dace": make_employee("Dace", quality_manager=True),
        "gone": make_employee("Bijušais", team=team_a, competences=[p1], is_active=False),
    }
    team_a.lead = people["laura"]
    team_c.lead = people["laura"]
    team_b.lead = people["ilze"]
    for team in (team_a, team_b, team_c):
        team.save(update_fields=["lead"])
    client = make_client("Jānis Ozols")
    other_client = make_client("Līga Kļaviņa")
    now = timezone.now()
    combos = itertools.product(
        [None, p1, p2],
        [None, team_a, team_b, team_c],
        [None, people["anna"], people["ilze"], people["nomad"]],
        [False, True],
    )
    cases = Case.objects.bulk_create(
        Case(
            reference=f"TST-2026-{i:06d}",
            subject=f"Lieta {i}",
            client=client if i % 3 else other_client,
            channel="email",
            programme=programme,
            team=team,
            assignee=assignee,
            confidential=confidential,
            created_at=now,
            updated_at=now,
        )
        for i, (programme, team, assignee, confidential) in enumerate(combos)
    )
    named = Case.named.through
    named.objects.bulk_create(
        [named(case_id=c.pk, employee_id=people["nomad"].pk) for c in cases[::5]]
        + [named(case_id=c.pk, employee_id=people["anna"].pk) for c in cases[3::7]]
        + [named(case_id=c.pk, employee_id=people["dace"].pk) for c in cases[1::11]]
    )
    admin = get_user_model().objects.create_user(username="admin-x", password="x", is_staff=True)
    people["admin"] = admin
    people["client"] = Principal(roles=frozenset({Role.CLIENT}), client_id=client.pk)
    people["system"] = None
    return people


def _fresh(who: Any) -> Any:
    """A new principal for ``who`` (nothing remembered yet), as a new request would have."""
    if isinstance(who, Employee):
        return principal_of(Employee.objects.select_related("user").get(pk=who.pk))
    return who


def _ids(q: Q) -> set[int]:
    return set(Case.objects.filter(q).values_list("pk", flat=True))


@pytest.mark.parametrize(
    "name",
    ["anna", "laura", "ilze", "nomad", "nobody", "dace", "gone", "admin", "client", "system"],
)
def test_the_lists_find_what_the_subqueries_found(town, name):
    who = _fresh(town[name])
    expected = _ids(old_visible_q(who))
    assert _ids(visible_q(who)) == expected
    assert set(cases_visible_to(who).values_list("pk", flat=True)) == expected
    everything = Case.objects.prefetch_related("named")
    assert {c.pk for c in everything if may_see(_fresh(town[name]), c)} == expected
    if name in {"anna", "laura", "nomad", "dace"}:  # each sees some cases and not others
        assert 0 < len(expected) < Case.objects.count()


def test_the_rule_is_built_once_per_principal_and_costs_no_query(town):
    who = _fresh(town["laura"])
    with CaptureQueriesContext(connection) as ctx:
        first, again = visible_q(who), visible_q(who)
    assert first is again and not ctx.captured_queries
    where = str(Case.objects.filter(first).query).split("WHERE", 1)[1]
    for table in ("cases_case_named", "directory_team", "directory_employee_competences"):
        assert table in where


def test_the_same_principal_sees_a_change_at_once(town):
    """The rule built once still reads who is named, the competences and the teams led with
    every statement."""
    anna = _fresh(town["anna"])
    nobody = town["nobody"]
    secret = Case.objects.filter(confidential=True, team=None, assignee=None).first()
    assert secret is not None and not _ids(visible_q(anna)) >= {secret.pk}
    # Named on the case (the service: m2m "named" changed) — the same principal sees it at once.
    case_set_confidential(case=secret, by=None, confidential=True, named=[town["anna"]])
    assert secret.pk in _ids(visible_q(anna))
    assert _ids(visible_q(anna)) == _ids(old_visible_q(anna))
    # A competence given, a team led: the same, and the rule still agrees with the old one.
    farmers = Case.objects.filter(confidential=False, programme__code="farmers").first()
    assert farmers is not None and farmers.pk not in _ids(visible_q(anna))
    Employee.objects.get(pk=anna.employee_id).competences.add(farmers.programme)
    assert farmers.pk in _ids(visible_q(anna)) and _ids(visible_q(anna)) == _ids(
        old_visible_q(anna)
    )
    quiet = _fresh(nobody)
    assert _ids(visible_q(quiet)) == _ids(old_visible_q(quiet))
    team_b = Team.objects.get(name_lv="B")
    team_b.lead = nobody
    team_b.save(update_fields=["lead"])
    assert _ids(visible_q(quiet)) >= set(
        Case.objects.filter(team=team_b).values_list("pk", flat=True)
    )
    assert _ids(visible_q(quiet)) == _ids(old_visible_q(quiet))


@pytest.mark.parametrize(
    "name",
    ["anna", "laura", "ilze", "nomad", "nobody", "dace", "gone", "admin", "client", "system"],
)
def test_the_unassigned_form_finds_the_same_unassigned_cases(town, name):
    """``unassigned=True`` leaves out "assigned to me": over the cases without an assignee it
    finds exactly what the whole rule finds, for every kind of person."""
    who = _fresh(town[name])
    unassigned = Case.objects.filter(assignee__isnull=True)
    expected = set(unassigned.filter(old_visible_q(who)).values_list("pk", flat=True))
    got = set(unassigned.filter(visible_q(who, unassigned=True)).values_list("pk", flat=True))
    assert got == expected
    # ``cases_visible_to`` narrows to the unassigned cases itself (the system's too).
    again = cases_visible_to(who, unassigned=True)
    assert set(again.values_list("pk", flat=True)) == expected
    if name in {"anna", "laura", "nomad"}:
        assert 0 < len(expected) < unassigned.count()
        # The form differs from the whole rule (it is not the same filter under another name).
        where = str(Case.objects.filter(visible_q(who, unassigned=True)).query)
        assert f'"assignee_id" = {who.employee_id}' not in where
        assert f'"assignee_id" = {who.employee_id}' in str(
            Case.objects.filter(visible_q(who)).query
        )


@pytest.mark.django_db(transaction=True)  # VACUUM, as autovacuum would, runs outside one
def test_the_unassigned_count_reads_only_its_index(town):
    """On PostgreSQL the inbox's unassigned count, rule and all, is an index-only scan of
    ``case_active_unassigned_due`` (the columns the rule reads are in the index)."""
    if connection.vendor != "postgresql":
        pytest.skip("the covering index is PostgreSQL's (INCLUDE)")
    from charterdesk.desk.selectors import inbox_counts

    anna = Employee.objects.get(pk=town["anna"].pk)
    Case.objects.update(status="open")
    with CaptureQueriesContext(connection) as ctx:
        counts = inbox_counts(employee=anna, now=timezone.now())
    expected = Case.objects.filter(assignee__isnull=True).filter(old_visible_q(_fresh(anna)))
    assert counts.unassigned == expected.count() > 0
    sql = next(q["sql"] for q in ctx.captured_queries if '"assignee_id" IS NULL' in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cases_case")
        # A few rows: a sequential scan would win; the plan for a million is the one asked.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_bitmapscan = off")
        try:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_bitmapscan")
    assert "Index Only Scan using case_active_unassigned_due" in plan, plan
