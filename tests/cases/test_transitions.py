"""The status table, checked pair by pair, and through the services that move a case."""

from __future__ import annotations

import itertools

import pytest

from charterdesk.cases import services as cs
from charterdesk.cases.errors import IllegalTransition
from charterdesk.cases.models import Case
from charterdesk.cases.services._common import check_transition
from charterdesk.cases.status import TRANSITIONS, Status
from tests.factories import make_client, make_employee, make_external, make_institution

# The table as the documentation states it, written out by hand (not derived from the code).
ALLOWED = {
    ("new", "open"),
    ("new", "waiting"),
    ("new", "referred"),
    ("new", "declined"),
    ("new", "resolved"),
    ("new", "closed"),
    ("open", "waiting"),
    ("open", "referred"),
    ("open", "declined"),
    ("open", "resolved"),
    ("waiting", "open"),
    ("waiting", "referred"),
    ("waiting", "declined"),
    ("waiting", "resolved"),
    ("referred", "closed"),
    ("referred", "open"),
    ("declined", "closed"),
    ("declined", "open"),
    ("resolved", "closed"),
    ("resolved", "open"),
    ("closed", "open"),
}


def test_table_matches_the_documented_one():
    coded = {(a.value, b.value) for a, targets in TRANSITIONS.items() for b in targets}
    assert coded == ALLOWED


@pytest.mark.parametrize(
    ("current", "target"), list(itertools.product(Status.values, Status.values))
)
def test_every_pair(current, target):
    case = Case(reference="ALT-2026-000001", status=current)
    if (current, target) in ALLOWED:
        check_transition(case, Status(target))
    else:
        with pytest.raises(IllegalTransition) as info:
            check_transition(case, Status(target))
        message = str(info.value)
        assert f"from '{Status(current).label}' to '{Status(target).label}'" in message
        assert "ALT-2026-000001" in message


@pytest.fixture
def setup(db):
    make_institution()  # outbound e-mail carries its identity block [EMAIL-IDENTITY]
    employee = make_employee()
    case = cs.case_open(client=make_client(), channel="email", subject="Jautājums")
    return case, employee


def _status(case):
    return Case.objects.get(pk=case.pk).status


def test_resolve_close_reopen_cycle(setup):
    case, emp = setup
    case = cs.case_assign(case=case, to=emp, by=emp)
    assert _status(case) == "open"
    cs.case_resolve(case=case, by=emp)
    cs.case_close(case=case, by=emp)
    assert Case.objects.get(pk=case.pk).closed_at is not None
    cs.case_reopen(case=case, by=emp, reason="Klients atsūtīja jaunu dokumentu")
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == "open" and fresh.closed_at is None
    types = list(fresh.events.values_list("type", flat=True))
    assert types == [
        "case.opened",
        "case.assigned",
        "case.resolved",
        "case.closed",
        "case.reopened",
    ]


def test_illegal_service_call_raises_and_changes_nothing(setup):
    case, emp = setup
    cs.case_close(case=case, by=emp)
    before = Case.objects.get(pk=case.pk)
    events_before = before.events.count()
    with pytest.raises(IllegalTransition, match="cannot go from 'closed' to 'resolved'"):
        cs.case_resolve(case=case, by=emp)
    after = Case.objects.get(pk=case.pk)
    assert (after.status, after.version, after.events.count()) == (
        "closed",
        before.version,
        events_before,
    )


def test_reopen_open_case_is_illegal(setup):
    case, emp = setup
    cs.case_assign(case=case, to=emp, by=emp)
    with pytest.raises(IllegalTransition, match="from 'open' to 'open'"):
        cs.case_reopen(case=case, by=emp, reason="x")


def test_decline_twice_is_illegal(setup):
    case, emp = setup
    cs.case_decline(case=case, by=emp, reasons="Neatbilst programmas nosacījumiem.")
    with pytest.raises(IllegalTransition):
        cs.case_decline(case=case, by=emp, reasons="Neatbilst programmas nosacījumiem.")


def test_refer_from_resolved_is_illegal(setup):
    case, emp = setup
    cs.case_resolve(case=case, by=emp)
    with pytest.raises(IllegalTransition):
        cs.case_refer(
            case=case, institution=make_external(), by=emp, message_to_client="Vērsieties VID."
        )
    assert _status(case) == "resolved"


def test_client_message_brings_resolved_case_back(setup):
    case, emp = setup
    cs.case_resolve(case=case, by=emp)
    cs.case_add_message(case=case, direction="in", kind="request", body="Vēl viens jautājums")
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == "open"
    assert list(fresh.events.values_list("type", flat=True))[-2:] == [
        "case.reopened",
        "message.received",
    ]


def test_automatic_reply_does_not_reopen_a_waiting_case(setup):
    case, emp = setup
    cs.case_assign(case=case, to=emp, by=emp)
    cs.case_set_waiting(case=case, by=emp)
    cs.case_add_message(
        case=case,
        direction="in",
        kind="request",
        body="I am out of office",
        meta={"auto_submitted": True},
    )
    assert _status(case) == "waiting"
    cs.case_add_message(case=case, direction="in", kind="request", body="Te ir dokumenti")
    assert _status(case) == "open"
