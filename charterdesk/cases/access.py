"""Which cases a person may see and change — the one place the case rules live [CONFIDENTIALITY].

Every face (desk, admin, the coming API and portal, reports, exports, notifications) reads cases
through ``cases_visible_to`` / ``case_for_user_or_404`` and the services check ``require_change`` /
``require_reassign`` on their ``by``, so no face can forget them.  Who someone is (roles, teams,
programmes) comes from ``charterdesk.security.principal``.

The rules (docs/security.md):

- an employee sees a case that is assigned to them, names them, belongs to their team (or a team
  they lead), or — unless it is confidential — belongs to a programme they hold the competence
  for, or is in the general queue (neither programme nor team);
- a confidential case is seen only by its team (members and lead), its assignee and those named on
  it;
- a quality manager sees every case that is not confidential (and the rest by the rules above) and
  changes none;
- an administrator without an employee profile sees none; a client (portal) sees their own;
- the system (``by=None``) sees and changes everything.

Changing: whoever sees a case may act on it, except a quality manager.  Reassigning (assign,
transfer): the assignee may hand their case on, anyone who may change an unassigned case may assign
it, and the lead of the case's team may reassign any of the team's cases.

A case one may not see answers as if it did not exist: ``CaseNotFound`` is a ``Http404``.  A case one
sees but may not change answers ``ActionNotAllowed`` (a ``PermissionDenied``: 403) with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Field, Model, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils.translation import gettext as _

from charterdesk.cases.models import Case
from charterdesk.directory.models import Employee, Team
from charterdesk.security.principal import Principal, Role, principal_of

__all__ = [
    "ActionNotAllowed",
    "CaseNotFound",
    "FiguresAccess",
    "case_for_user_or_404",
    "cases_visible_to",
    "figures_access",
    "may_change",
    "may_reassign",
    "may_run_campaigns",
    "may_see",
    "require_change",
    "require_reassign",
    "require_see",
    "visible_q",
]


class CaseNotFound(Http404):
    """The case does not exist, or the person may not see it (the two are not told apart)."""


class ActionNotAllowed(PermissionDenied):
    """The person sees the case but may not do this to it."""


_NAMED = Case.named.through
_HELD = Employee.competences.through


@cache
def _subquery_sql(model: type[Model], column: str, key: str) -> str:
    """``SELECT <column> FROM <model's table> WHERE <key> = %s``: what Django writes for
    ``model.objects.filter(key=…).values(column)``."""
    quote, meta = connection.ops.quote_name, model._meta

    def col(name: str) -> str:
        field = meta.get_field(name)
        assert isinstance(field, Field)
        return quote(field.column)

    # Names from the models' own metadata, quoted; the value is a parameter.
    return f"SELECT {col(column)} FROM {quote(meta.db_table)} WHERE {col(key)} = %s"  # nosec B608


def _ids(model: type[Model], column: str, key: str, value: int) -> RawSQL:
    return RawSQL(_subquery_sql(model, column, key), (value,))  # nosec B611: as above


_VISIBLE_Q = "_access_visible_q"


def visible_q(who: Any, *, unassigned: bool = False) -> Q:
    """A filter on ``Case`` for the cases ``who`` may see; ``unassigned``: for a filter already
    narrowed to cases without an assignee, where the rule's "assigned to me" can never hold —
    without it the database answers from the unassigned cases' own index
    (``case_active_unassigned_due``, which carries the columns the rest of the rule reads) and
    reads no case rows: the unassigned count on every inbox page, 10 ms → 1 ms at 1,000,000
    cases.  The teams led, the programmes held and
    the cases naming the person are subqueries, so the rule costs no query of its own, and the
    database reads them afresh with every statement.

    They are written as ready SQL (``_ids``) and the filter is built once per principal (a
    request): building three querysets for the subqueries with every use cost twice the Python
    time of the rest of an inbox count (1.0 against 0.6 ms per use at 1,000,000 cases; the SQL
    is the same).  Lists of the ids instead of subqueries were measured too and are slower: the
    planner then estimates the rule's rows lower and sorts every unassigned case instead of
    walking the deadline index (docs/security.md, "The inbox with the rules")."""
    p = principal_of(who)
    if p.system:
        return Q()
    if p.client_id is not None:
        return Q(client_id=p.client_id)
    if p.employee_id is None or Role.EMPLOYEE not in p.roles:
        return Q(pk__in=[])
    key = _VISIBLE_Q + ("_unassigned" if unassigned else "")
    built = getattr(p, key, None)
    if built is None:
        built = _visible_q(p.employee_id, p.team_id, reads_all=p.reads_all, mine=not unassigned)
        setattr(p, key, built)
    return built  # type: ignore[no-any-return]


def _visible_q(me: int, team_id: int | None, *, reads_all: bool, mine: bool = True) -> Q:
    named = _ids(_NAMED, "case", "employee", me)
    led = _ids(Team, "id", "lead", me)
    close = Q(pk__in=named) | Q(team_id__in=led)
    if mine:
        close = Q(assignee_id=me) | close
    if team_id is not None:
        close |= Q(team_id=team_id)
    if reads_all:
        return close | Q(confidential=False)
    held = _ids(_HELD, "programme", "employee", me)
    broad = Q(programme_id__isnull=True, team_id__isnull=True) | Q(programme_id__in=held)
    return close | (Q(confidential=False) & broad)


def sees_every_case_of(
    who: Any, *, assignee_id: int | None = None, team_id: int | None = None
) -> bool:
    """Whether ``who`` sees every case assigned to ``assignee_id`` (or of ``team_id``), so that a
    list narrowed to them needs no ``visible_q`` at all: an employee's own cases and their own
    team's are always theirs to see (the first terms of ``visible_q``)."""
    p = principal_of(who)
    if p.system:
        return True
    if p.employee_id is None or Role.EMPLOYEE not in p.roles:
        return False
    if assignee_id is not None:
        return assignee_id == p.employee_id
    return team_id is not None and team_id == p.team_id


def cases_visible_to(
    who: Any, cases: QuerySet[Case] | None = None, *, unassigned: bool = False
) -> QuerySet[Case]:
    """``cases`` (default: all) narrowed to those ``who`` may see; ``unassigned``: only those
    without an assignee, with the rule's form for them (``visible_q``), so the narrowing and the
    form cannot be taken apart."""
    base = Case.objects.all() if cases is None else cases
    if unassigned:
        base = base.filter(assignee__isnull=True)
    p = principal_of(who)
    return base if p.system else base.filter(visible_q(p, unassigned=unassigned))


_SEEN = "_access_seen_by"


def _named_ids(case: Case) -> set[int]:
    cache = getattr(case, "_prefetched_objects_cache", {})
    if "named" in cache:
        return {e.pk for e in cache["named"]}
    return set(_NAMED.objects.filter(case_id=case.pk).values_list("employee_id", flat=True))


def may_see(who: Any, case: Case) -> bool:
    """The same rule as ``visible_q`` for a case already in hand."""
    p = principal_of(who)
    if p.system:
        return True
    if p.client_id is not None:
        return case.client_id == p.client_id
    if p.employee_id is None or Role.EMPLOYEE not in p.roles:
        return False
    if getattr(case, _SEEN, None) is p:
        return True  # read through visible_q for this principal in this request
    if case.assignee_id == p.employee_id:
        return True
    if case.team_id is not None and case.team_id in p.team_ids:
        return True
    if not case.confidential:
        if p.reads_all:
            return True
        if case.programme_id is None and case.team_id is None:
            return True
        if case.programme_id is not None and case.programme_id in p.programme_ids:
            return True
    return p.employee_id in _named_ids(case)


def may_change(who: Any, case: Case) -> bool:
    p = principal_of(who)
    return may_see(p, case) and not (p.read_only and not p.system)


def may_reassign(who: Any, case: Case) -> bool:
    p = principal_of(who)
    if not may_change(p, case):
        return False
    if p.system or case.assignee_id is None or case.assignee_id == p.employee_id:
        return True
    # The lead of the case's team (Team.lead; the team is usually loaded with the case).
    return case.team_id is not None and case.team is not None and case.team.lead_id == p.employee_id


def require_see(who: Any, case: Case) -> None:
    if not may_see(who, case):
        raise CaseNotFound("no such case")


def require_change(who: Any, case: Case) -> None:
    """For the services: 404 if ``who`` may not see ``case``, 403 if they may not change it."""
    require_see(who, case)
    if not may_change(who, case):
        raise ActionNotAllowed(
            _("A quality manager reads cases but does not change them; nothing was changed.")
        )


def require_reassign(who: Any, case: Case) -> None:
    require_change(who, case)
    if not may_reassign(who, case):
        raise ActionNotAllowed(
            _(
                "Case %(ref)s is with a colleague; only they or the team lead can reassign it. "
                "Nothing was changed."
            )
            % {"ref": case.reference}
        )


def case_for_user_or_404(who: Any, pk: int, cases: QuerySet[Case] | None = None) -> Case:
    """The case ``pk`` from ``cases`` (default: all, e.g. ``selectors.case_detail``'s queryset) if
    ``who`` may see it; otherwise ``CaseNotFound`` (404), as if it did not exist."""
    p = principal_of(who)
    try:
        case = cases_visible_to(p, cases).get(pk=pk)
    except Case.DoesNotExist:
        raise CaseNotFound("no such case") from None
    setattr(case, _SEEN, p)
    return case


def principal(who: Any) -> Principal:
    return principal_of(who)


# --- figures: the compliance report, its drill-down and exports, the survey campaigns ----------


@dataclass(frozen=True, slots=True)
class FiguresAccess:
    """Whose figures a person reads: every team's (``team_ids is None``) or some teams'."""

    team_ids: frozenset[int] | None

    @property
    def everything(self) -> bool:
        return self.team_ids is None


def figures_access(who: Any) -> FiguresAccess | None:
    """Whose figures ``who`` may read — the one rule of the compliance report, its exports and
    the navigation link to it:

    - the quality manager (``Employee.quality_manager``) every team's;
    - a team lead (``Team.lead``) the teams they lead, with the employees in them;
    - the system (commands) everything;
    - anyone else (a plain employee, an administrator without an employee profile, a client)
      none: ``None``.

    The figures count cases; a list of the cases behind a figure still shows only those
    ``cases_visible_to`` lets ``who`` see (a confidential case only to its team and those named
    on it).  Costs at most one query (the teams led), cached on the principal for the request."""
    p = principal_of(who)
    if p.system or (Role.EMPLOYEE in p.roles and p.reads_all):
        return FiguresAccess(None)
    if Role.EMPLOYEE not in p.roles or p.employee_id is None:
        return None
    led = p.led_team_ids
    return FiguresAccess(led) if led else None


def may_run_campaigns(who: Any) -> bool:
    """Survey campaigns (research over every client) are the quality manager's: create, choose
    the audience, send, read the results."""
    p = principal_of(who)
    return p.system or (Role.EMPLOYEE in p.roles and p.reads_all)
