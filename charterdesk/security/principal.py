"""Who is asking: the roles of a signed-in person, read once per request.

Roles [CONFIDENTIALITY]:

- **employee** — an active ``Employee``; sees the cases of their team, of the programmes they hold
  the competence for, those assigned to them or naming them, and the general queue (cases with
  neither programme nor team); changes what they see.
- **team lead** — the ``lead`` of a ``Team``: also sees that team's cases (confidential ones too)
  and may reassign them.
- **quality manager** — ``Employee.quality_manager``: reads every case that is not confidential,
  changes none.
- **administrator** — a staff account (the admin): configures.  An administrator reads no case by
  that role; one who also works cases does so through their employee profile and its rules.
- **client** — the coming client portal: sees their own cases only (``Principal.client_id``).
- **system** — intake, the SLA engine, commands: ``by=None`` in the services; unrestricted.

This module knows people (``directory``) and nothing of cases; the case rules that use it are in
``charterdesk/cases/access.py``.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from charterdesk.directory.models import Employee, Team


class Role(StrEnum):
    EMPLOYEE = "employee"
    TEAM_LEAD = "team_lead"
    QUALITY_MANAGER = "quality_manager"
    ADMINISTRATOR = "administrator"
    CLIENT = "client"
    SYSTEM = "system"


class Principal:
    """What the access rules need to know of one person.

    Built from the employee row already loaded with the request, without a query; the teams led
    and the programmes held are read once, only when a rule needs them in Python (the database
    rule, ``cases.access.visible_q``, reads them as subqueries) — the teams led not at all when
    the row was read with ``leads_a_team`` False (``security.staff.current_employee``)."""

    def __init__(
        self,
        roles: frozenset[Role],
        *,
        user_id: int | None = None,
        employee_id: int | None = None,
        team_id: int | None = None,
        client_id: int | None = None,
        leads_a_team: bool | None = None,
    ) -> None:
        self.roles = roles
        self.leads_a_team = leads_a_team  # known with the employee row, or None: ask
        self.user_id = user_id
        self.employee_id = employee_id
        self.team_id = team_id
        self.client_id = client_id

    def __repr__(self) -> str:
        return f"Principal(roles={sorted(self.roles)}, employee={self.employee_id})"

    @property
    def system(self) -> bool:
        return Role.SYSTEM in self.roles

    @property
    def reads_all(self) -> bool:
        return Role.QUALITY_MANAGER in self.roles

    @property
    def read_only(self) -> bool:
        """A quality manager reads and changes nothing."""
        return Role.QUALITY_MANAGER in self.roles

    @cached_property
    def led_team_ids(self) -> frozenset[int]:
        if self.employee_id is None or self.leads_a_team is False:
            return frozenset()
        return frozenset(Team.objects.filter(lead_id=self.employee_id).values_list("pk", flat=True))

    @cached_property
    def programme_ids(self) -> frozenset[int]:
        if self.employee_id is None:
            return frozenset()
        return frozenset(
            Employee.competences.through.objects.filter(employee_id=self.employee_id).values_list(
                "programme_id", flat=True
            )
        )

    @property
    def team_ids(self) -> frozenset[int]:
        """The teams whose cases are "my team's": my own and those I lead."""
        own = {self.team_id} if self.team_id is not None else set()
        return frozenset(own) | self.led_team_ids

    def leads(self, team_id: int | None) -> bool:
        return team_id is not None and team_id in self.led_team_ids


SYSTEM = Principal(roles=frozenset({Role.SYSTEM}))
NOBODY = Principal(roles=frozenset())

_CACHE = "_charterdesk_principal"


def principal_of_employee(employee: Employee) -> Principal:
    """The principal of ``employee`` (no query; cached on the object)."""
    cached = getattr(employee, _CACHE, None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    if not employee.is_active:
        principal = Principal(roles=frozenset(), employee_id=employee.pk)
    else:
        roles = {Role.EMPLOYEE}
        if employee.quality_manager:
            roles.add(Role.QUALITY_MANAGER)
        if employee.user.is_staff:
            roles.add(Role.ADMINISTRATOR)
        principal = Principal(
            roles=frozenset(roles),
            user_id=employee.user_id,
            employee_id=employee.pk,
            team_id=employee.team_id,
            leads_a_team=getattr(employee, "leads_a_team", None),
        )
    setattr(employee, _CACHE, principal)
    return principal


def principal_of(who: Any) -> Principal:
    """The principal of a user, an employee, a principal, or ``None`` (the system)."""
    if who is None:
        return SYSTEM
    if isinstance(who, Principal):
        return who
    if isinstance(who, Employee):
        return principal_of_employee(who)
    if not getattr(who, "is_authenticated", False) or not getattr(who, "is_active", True):
        return NOBODY
    cached = getattr(who, _CACHE, None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    try:
        employee = who.employee
    except (ObjectDoesNotExist, AttributeError):
        employee = None
    if employee is not None:
        principal = principal_of_employee(employee)
    else:
        roles = {Role.ADMINISTRATOR} if who.is_staff else set()
        principal = Principal(roles=frozenset(roles), user_id=who.pk)
    setattr(who, _CACHE, principal)
    return principal


def roles_of(who: Any) -> frozenset[Role]:
    """Every role of ``who``, the team lead's included (one query for that)."""
    p = principal_of(who)
    return p.roles | {Role.TEAM_LEAD} if p.led_team_ids else p.roles
