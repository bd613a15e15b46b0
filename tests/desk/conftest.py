"""A small office for the desk tests: an institution, programmes, staff, clients and cases."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client as HttpClient

from charterdesk.cases.models import Case
from charterdesk.cases.services import case_add_message, case_open
from charterdesk.directory.models import Employee, ExternalInstitution, Programme, Team
from tests.factories import (
    make_client,
    make_employee,
    make_external,
    make_institution,
    make_programme,
)

PASSWORD = "pw-test-123456"


@dataclass
class Office:
    team: Team
    housing: Programme
    startup: Programme
    anna: Employee  # front line, competent for housing
    janis: Employee  # competent for start-up
    laura: Employee  # competent for both, leads the team
    vid: ExternalInstitution
    case: Case  # Anna's open e-mail case from Ilze Bērziņa about housing


def signed_in(employee: Employee, language: str = "lv") -> HttpClient:
    client = HttpClient()
    assert client.login(username=employee.user.username, password=PASSWORD)
    return client


@pytest.fixture
def office(db) -> Office:
    return build_office()


def build_office() -> Office:
    make_institution()
    team = Team.objects.create(name_lv="Klientu apkalpošana", name_en="Client service")
    housing = make_programme("housing", name_lv="Mājokļu garantijas", name_en="Housing guarantees")
    startup = make_programme("startup", name_lv="Starta aizdevumi", name_en="Start-up loans")
    anna = make_employee("Anna", "Bērziņa", team=team, competences=[housing])
    janis = make_employee("Jānis", "Kalniņš", team=team, competences=[startup])
    laura = make_employee("Laura", "Zariņa", team=team, competences=[housing, startup])
    team.lead = laura  # the head of client service leads the team (may reassign its cases)
    team.save(update_fields=["lead"])
    vid = make_external()
    ilze = make_client(
        "Ilze Bērziņa",
        email="ilze@example.lv",
        phone="+37129123456",
        special_needs="Vājredzība: lūdz lielu drukas burtu.",
    )
    case = case_open(
        client=ilze,
        channel="email",
        subject="Garantija dzīvokļa iegādei",
        programme=housing,
        assignee=anna,
    )
    case_add_message(
        case=case,
        direction="in",
        kind="request",
        sender="ilze@example.lv",
        body="Labdien! Vai varam saņemt garantiju pirmajai iemaksai?",
    )
    case.refresh_from_db()
    return Office(team, housing, startup, anna, janis, laura, vid, case)
