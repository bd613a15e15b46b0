"""The case services refuse on their own, whichever face calls them (cases/access.py via lock())."""

from __future__ import annotations

import pytest

from charterdesk.cases import services as cs
from charterdesk.cases.access import (
    ActionNotAllowed,
    CaseNotFound,
    case_for_user_or_404,
    cases_visible_to,
    may_see,
)
from charterdesk.cases.models import Case, CaseEvent
from charterdesk.cases.selectors import case_detail
from charterdesk.notifications.services import recipients
from tests.security.conftest import World


def test_an_unseen_case_is_not_found_by_the_services(world: World):
    case = world.cases["ilze"]
    version = case.version
    with pytest.raises(CaseNotFound):
        cs.case_add_note(case=case, by=world.anna, body="Ne mans gadījums")
    with pytest.raises(CaseNotFound):
        cs.case_reply(case=case, by=world.laura, body="Atbilde")
    with pytest.raises(CaseNotFound):
        cs.case_close(case=world.cases["confidential"], by=world.dace)  # QM: not confidential
    assert Case.objects.get(pk=case.pk).version == version


def test_the_quality_manager_reads_but_changes_nothing(world: World):
    case = world.cases["ilze"]
    assert case_for_user_or_404(world.dace, case.pk) == case
    before = CaseEvent.objects.filter(case=case).count()
    for call in (
        lambda: cs.case_add_note(case=case, by=world.dace, body="Piezīme"),
        lambda: cs.case_resolve(case=case, by=world.dace, summary="x"),
        lambda: cs.case_assign(case=case, to=world.dace, by=world.dace),
    ):
        with pytest.raises(ActionNotAllowed):
            call()
    assert CaseEvent.objects.filter(case=case).count() == before


def test_only_the_assignee_or_the_team_lead_reassigns(world: World):
    janis_case = world.cases["janis"]
    with pytest.raises(ActionNotAllowed, match="tikai šis kolēģis vai komandas vadītājs"):
        cs.case_assign(case=janis_case, to=world.anna, by=world.anna)
    with pytest.raises(ActionNotAllowed):
        cs.case_transfer(case=janis_case, to=world.anna, by=world.anna, note="Pārņemu")
    # Anna may still note on her teammate's case, the lead may reassign it, the assignee hand it on.
    cs.case_add_note(case=janis_case, by=world.anna, body="Skatīju")
    cs.case_assign(case=janis_case, to=world.anna, by=world.laura)
    cs.case_transfer(case=janis_case, to=world.janis, by=world.anna, note="Atpakaļ")
    assert Case.objects.get(pk=janis_case.pk).assignee == world.janis


def test_confidential_is_set_only_by_who_may_reassign_and_names_open_it(world: World):
    case = world.cases["anna"]
    with pytest.raises(ActionNotAllowed):
        cs.case_set_confidential(case=case, by=world.janis, confidential=True)
    cs.case_set_confidential(case=case, by=world.anna, confidential=True, named=[world.ilze])
    case.refresh_from_db()
    assert may_see(world.ilze, case)  # named, other team
    assert may_see(world.janis, case)  # same team
    assert not may_see(world.dace, case)  # quality manager: not confidential ones
    assert case not in cases_visible_to(world.dace)
    event = CaseEvent.objects.filter(case=case, type="case.confidentiality").get()
    assert event.params == {"confidential": True, "named": ["Ilze Ozola"]}
    cs.case_set_confidential(case=case, by=world.laura, confidential=False)
    case.refresh_from_db()
    assert not may_see(world.ilze, case) and may_see(world.dace, case)


def test_the_selector_of_the_case_page_answers_404_for_unseen(world: World):
    with pytest.raises(CaseNotFound):
        case_detail(world.cases["confidential"].pk, who=world.laura)
    assert case_detail(world.cases["confidential"].pk, who=world.ilze).pk
    assert case_detail(world.cases["confidential"].pk, who=None).pk  # the system


def test_visible_q_and_may_see_agree_for_every_role_and_case(world: World):
    people = [world.anna, world.janis, world.laura, world.ilze, world.dace, world.admin, None]
    for who in people:
        listed = set(cases_visible_to(who).values_list("pk", flat=True))
        for case in world.cases.values():
            assert (case.pk in listed) == may_see(who, case), (who, case.subject)


def test_notifications_go_only_to_who_may_see(world: World):
    # A confidential case that left its team: the lead of the assignee's team would be told of
    # it (notifications/services.py), but may not see it, so is not.
    Case.objects.filter(pk=world.cases["confidential"].pk).update(team=None)
    world.team_b.lead = world.laura
    world.team_b.save()
    case = Case.objects.select_related("assignee__team__lead", "team").get(
        pk=world.cases["confidential"].pk
    )
    assert recipients(case) == [world.ilze]
    Case.objects.filter(pk=case.pk).update(
        confidential=False, programme=world.cases["anna"].programme
    )
    case = Case.objects.select_related("assignee__team__lead", "team").get(pk=case.pk)
    assert recipients(case) == [world.ilze, world.laura]  # now in Laura's programme: she sees it
