"""One small institution for the access tests: two teams, two programmes, each role, and a case
for each situation (own, team, other programme, confidential, confidential naming the employee)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from charterdesk.cases.models import Case
from charterdesk.cases.services import (
    AttachmentData,
    case_add_message,
    case_open,
    case_set_confidential,
)
from charterdesk.directory.models import Employee, Team
from tests.factories import make_client, make_employee, make_institution, make_programme

PASSWORD = "pw-test-123456"


@dataclass
class World:
    team_a: Team
    team_b: Team
    anna: Employee  # employee, team A, programme P1
    janis: Employee  # employee, team A, programme P1
    laura: Employee  # lead of team A, programme P1
    ilze: Employee  # employee, team B, programme P2
    dace: Employee  # quality manager, no team
    admin: AbstractBaseUser  # administrator: staff, no employee profile
    cases: dict[str, Case]  # by name: anna, janis, laura, ilze, confidential, named


def _case(client_name: str, programme, assignee: Employee, subject: str) -> Case:
    case = case_open(
        client=make_client(client_name),
        channel="email",
        subject=subject,
        programme=programme,
        assignee=assignee,
    )
    case_add_message(
        case=case,
        direction="in",
        kind="request",
        sender="client@example.lv",
        body="Labdien! Pielikumā dokumenti.",
        attachments=[AttachmentData("izziņa.pdf", "application/pdf", b"%PDF-1.4 demo")],
    )
    case.refresh_from_db()
    return case


def build_world() -> World:
    make_institution()
    p1 = make_programme("housing", name_lv="Mājokļu garantijas", name_en="Housing guarantees")
    p2 = make_programme("farmers", name_lv="Lauksaimnieki", name_en="Farmers")
    team_a = Team.objects.create(name_lv="Rīga", name_en="Riga")
    team_b = Team.objects.create(name_lv="Reģioni", name_en="Regions")
    anna = make_employee("Anna", "Bērziņa", team=team_a, competences=[p1])
    janis = make_employee("Jānis", "Kalniņš", team=team_a, competences=[p1])
    laura = make_employee("Laura", "Zariņa", team=team_a, competences=[p1])
    team_a.lead = laura
    team_a.save(update_fields=["lead"])
    ilze = make_employee("Ilze", "Ozola", team=team_b, competences=[p2])
    dace = make_employee("Dace", "Vītola", quality_manager=True)
    admin = get_user_model().objects.create_user(
        username="admin-test", password=PASSWORD, is_staff=True, is_superuser=True
    )
    cases = {
        "anna": _case("Jānis Ozols", p1, anna, "Garantija dzīvoklim"),
        "janis": _case("Līga Kļaviņa", p1, janis, "Garantijas līgums"),
        "laura": _case("Māris Strautiņš", p1, laura, "Sūdzība par atbildi"),
        "ilze": _case("Zemnieku saimniecība Ābeles", p2, ilze, "Zemes iegāde"),
        "confidential": _case("Olga Petrova", p1, ilze, "Konfidenciāls jautājums"),
        "named": _case("Emily Carter", p2, ilze, "Confidential question"),
    }
    case_set_confidential(case=cases["confidential"], by=ilze, confidential=True)
    case_set_confidential(case=cases["named"], by=ilze, confidential=True, named=[anna])
    for case in cases.values():
        case.refresh_from_db()
    return World(team_a, team_b, anna, janis, laura, ilze, dace, admin, cases)


@pytest.fixture
def world(db) -> World:
    return build_world()
