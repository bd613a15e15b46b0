"""Builders for test data: real rows through the real services, small and explicit."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

from charterdesk.clients.models import Client
from charterdesk.clients.services import client_create
from charterdesk.directory.models import Employee, ExternalInstitution, Institution, Programme, Team

_seq = itertools.count(1)


def make_institution() -> Institution:
    return Institution.objects.create(
        name_lv="Attīstības finanšu institūcija Altum",
        name_en="Development Finance Institution Altum",
        short_name="ALTUM",
        general_phone="+37167774010",
        portal_support_phone="+37167774118",
        general_email="altum@altum.lv",
        postal_address="Doma laukums 4, Rīga, LV-1050",
        website="https://www.altum.lv",
        portal_url="https://mans.altum.lv",
    )


def make_programme(code: str | None = None, **kw: object) -> Programme:
    n = next(_seq)
    defaults: dict[str, object] = dict(
        code=code or f"prog-{n}",
        name_lv=f"Programma {n}",
        name_en=f"Programme {n}",
        category="loan",
        apply_via="portal",
    )
    defaults.update(kw)
    return Programme.objects.create(**defaults)


def make_employee(
    first: str = "Anna",
    surname: str | None = None,
    *,
    team: Team | None = None,
    competences: list[Programme] | None = None,
    **kw: object,
) -> Employee:
    n = next(_seq)
    user = get_user_model().objects.create_user(username=f"user{n}", password="pw-test-123456")
    employee = Employee.objects.create(
        user=user,
        first_name=first,
        surname=surname or f"Bērziņa{n}",
        position_lv="Konsultante",
        position_en="Consultant",
        phone="+37167774000",
        email=f"user{n}@altum.lv",
        team=team,
        **kw,
    )
    if competences:
        employee.competences.set(competences)
    return employee


def make_client(name: str = "Jānis Ozols", email: str | None = None, **kw: object) -> Client:
    n = next(_seq)
    return client_create(
        name=name, email=email if email is not None else f"client{n}@example.lv", **kw
    )


def make_external(name: str = "Valsts ieņēmumu dienests") -> ExternalInstitution:
    return ExternalInstitution.objects.create(
        name_lv=name,
        name_en="State Revenue Service",
        phone="+37167120000",
        email="vid@vid.gov.lv",
        website="https://www.vid.gov.lv",
    )
