"""Reads for the desk: the inbox with keyset pagination and what the case page shows beside a case.

The inbox is sorted by (next_due_at NULLS LAST, id), which the case indexes on (…, status,
next_due_at, id) serve.  A page is found by the last row of the previous one (a keyset cursor),
never by OFFSET, so page 500 costs what page 1 costs, and the number of queries per page does not
depend on the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from charterdesk.cases.access import cases_visible_to
from charterdesk.cases.models import Attachment, Case, CaseEvent
from charterdesk.cases.status import ACTIVE
from charterdesk.directory.models import Employee, ExternalInstitution
from charterdesk.search.query import is_reference, search_cases
from charterdesk.standard.events import Event

PAGE_SIZE = 50
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Scope:
    MINE = "mine"
    TEAM = "team"
    UNASSIGNED = "unassigned"
    PROGRAMME = "programme"
    ALL = "all"


ACTIVE_STATUSES = sorted(s.value for s in ACTIVE)


@dataclass(frozen=True, slots=True)
class Cursor:
    """The last row of a page: its deadline (or None: no deadline, sorted last) and id."""

    due: datetime | None
    pk: int

    def encode(self) -> str:
        if self.due is None:
            return f"n.{self.pk}"
        micros = (self.due - EPOCH) // timedelta(microseconds=1)
        return f"{micros}.{self.pk}"

    @classmethod
    def decode(cls, raw: str) -> Cursor:
        """Raises ``ValueError`` for anything that is not a cursor this module made."""
        due_part, _sep, pk_part = (raw or "").partition(".")
        pk = int(pk_part)
        if pk < 0:
            raise ValueError(raw)
        if due_part == "n":
            return cls(None, pk)
        return cls(EPOCH + timedelta(microseconds=int(due_part)), pk)


@dataclass(frozen=True)
class InboxFilters:
    scope: str = Scope.MINE
    programme: int | None = None
    status: str = "active"  # "active", "all" or a status value
    channel: str = ""
    office: int | None = None
    breached: bool = False
    query: str = ""


@dataclass
class InboxPage:
    cases: list[Case]
    next_cursor: Cursor | None
    first_page: bool
    filters: InboxFilters = field(default_factory=InboxFilters)
    # Cases whose latest e-mail to the client came back or could not be sent.
    undelivered: set[int] = field(default_factory=set)


# The outbound mail's story on the timeline: sent (written to the outbox), then maybe one of the
# two failures.  A case whose latest such event is a failure needs its client reached otherwise.
_MAIL_EVENTS = (Event.MESSAGE_SENT, Event.MESSAGE_BOUNCED, Event.MESSAGE_NOT_SENT)
_MAIL_FAILED = {Event.MESSAGE_BOUNCED.value, Event.MESSAGE_NOT_SENT.value}


def undelivered_mail(case_ids: list[int]) -> set[int]:
    """Those of ``case_ids`` whose latest e-mail to the client was not delivered (one query,
    over the events' ``(case, at)`` index)."""
    latest: dict[int, tuple[datetime, int, str]] = {}
    for case_id, etype, at, pk in CaseEvent.objects.filter(
        case_id__in=case_ids, type__in=[e.value for e in _MAIL_EVENTS]
    ).values_list("case_id", "type", "at", "pk"):
        if case_id not in latest or (at, pk) > latest[case_id][:2]:
            latest[case_id] = (at, pk, etype)
    return {case_id for case_id, (_at, _pk, etype) in latest.items() if etype in _MAIL_FAILED}


def inbox_queryset(
    *, employee: Employee, filters: InboxFilters, now: datetime, deadline: bool | None = None
) -> QuerySet[Case]:
    """The inbox's cases in (next_due_at NULLS LAST, id) order; ``deadline`` True / False keeps
    only those with / without a ``next_due_at`` (``inbox_page`` reads a search in those two
    parts)."""
    cases = Case.objects.select_related("client", "programme", "assignee", "office").only(
        "reference",
        "subject",
        "channel",
        "status",
        "next_due_at",
        "created_at",
        "language",
        "promised_by",
        "client__name",
        "client__kind",
        "client__special_needs",
        "programme__name_lv",
        "programme__name_en",
        "assignee__first_name",
        "assignee__surname",
        "office__name_lv",
        "office__name_en",
    )
    cases = cases_visible_to(employee, cases)  # [CONFIDENTIALITY] cases/access.py
    if filters.scope == Scope.MINE:
        cases = cases.filter(assignee=employee)
    elif filters.scope == Scope.TEAM:
        cases = cases.filter(team_id=employee.team_id) if employee.team_id else cases.none()
    elif filters.scope == Scope.UNASSIGNED:
        cases = cases.filter(assignee__isnull=True)
    if filters.programme is not None:
        cases = cases.filter(programme_id=filters.programme)
    if filters.status == "active":
        cases = cases.filter(status__in=ACTIVE_STATUSES)
    elif filters.status != "all":
        cases = cases.filter(status=filters.status)
    if filters.channel:
        cases = cases.filter(channel=filters.channel)
    if filters.office is not None:
        cases = cases.filter(office_id=filters.office)
    if filters.breached:
        # The earliest open timer is past due: at least one commitment is breached.
        cases = cases.filter(next_due_at__lt=now)
    if filters.query:
        # The rule and the statuses again, for the search documents' index (search/query.py).
        statuses = {"active": ACTIVE_STATUSES, "all": None}.get(filters.status, [filters.status])
        # "Mine" and "my team's" as facets too (a: and t: are on every document, confidential or
        # not; a programme is not, so that view is left to the case rows).
        narrow = {
            Scope.MINE: [f"a:{employee.pk}"],
            Scope.TEAM: [f"t:{employee.team_id}"] if employee.team_id else None,
        }.get(filters.scope)
        cases = search_cases(
            cases,
            filters.query,
            who=employee,
            statuses=statuses,
            deadline=deadline,
            narrow=narrow,
        )
    if deadline is not None:
        cases = cases.filter(next_due_at__isnull=not deadline)
    return cases.order_by(F("next_due_at").asc(nulls_last=True), "id")


def after(cases: QuerySet[Case], cursor: Cursor) -> QuerySet[Case]:
    """The rows after ``cursor`` in (next_due_at NULLS LAST, id) order."""
    if cursor.due is None:
        return cases.filter(next_due_at__isnull=True, pk__gt=cursor.pk)
    return cases.filter(
        Q(next_due_at__gt=cursor.due)
        | Q(next_due_at=cursor.due, pk__gt=cursor.pk)
        | Q(next_due_at__isnull=True)
    )


def _search_rows(
    *, employee: Employee, filters: InboxFilters, cursor: Cursor | None, now: datetime, size: int
) -> list[Case]:
    """A page of a search in deadline order, read in its two parts: the matches with a deadline
    (sorted by it), then — only if the page is not full — those without (sorted by id).  Each part
    is one GIN scan of the search documents narrowed to its side (search/query.py), so the first
    page of a common word over all statuses reads the few matches with a deadline, not every
    match in the archive."""
    rows: list[Case] = []
    if cursor is None or cursor.due is not None:
        cases = inbox_queryset(employee=employee, filters=filters, now=now, deadline=True)
        if cursor is not None:
            cases = after(cases, cursor)
        rows = list(cases[: size + 1])
    if len(rows) <= size:
        cases = inbox_queryset(employee=employee, filters=filters, now=now, deadline=False)
        if cursor is not None and cursor.due is None:
            cases = cases.filter(pk__gt=cursor.pk)
        rows += list(cases[: size + 1 - len(rows)])
    return rows


def inbox_page(
    *,
    employee: Employee,
    filters: InboxFilters,
    cursor: Cursor | None,
    now: datetime,
    size: int = PAGE_SIZE,
) -> InboxPage:
    if filters.query and not is_reference(filters.query):
        rows = _search_rows(employee=employee, filters=filters, cursor=cursor, now=now, size=size)
    else:
        cases = inbox_queryset(employee=employee, filters=filters, now=now)
        if cursor is not None:
            cases = after(cases, cursor)
        rows = list(cases[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = Cursor(rows[-1].next_due_at, rows[-1].pk) if more else None
    return InboxPage(
        cases=rows,
        next_cursor=next_cursor,
        first_page=cursor is None,
        filters=filters,
        undelivered=undelivered_mail([c.pk for c in rows]),
    )


# --- the case page ------------------------------------------------------------------------------

OTHER_CASES_SHOWN = 10


def client_other_cases(case: Case, *, who: Any) -> list[Case]:
    """The client's other cases that ``who`` may see (cases/access.py)."""
    return list(
        cases_visible_to(who)
        .filter(client_id=case.client_id)
        .exclude(pk=case.pk)
        .only("reference", "subject", "status", "created_at")
        .order_by("-created_at")[:OTHER_CASES_SHOWN]
    )


def case_attachments(case: Case) -> list[Attachment]:
    """Every attachment of the case, from the prefetched messages (no extra query)."""
    return [a for m in case.messages.all() for a in m.attachments.all()]


def transfer_candidates(case: Case) -> list[Employee]:
    """Active colleagues, those holding the case programme's competence first [ROUTE-INTERNAL];
    each carries ``competent`` (bool)."""
    employees = Employee.objects.filter(is_active=True).select_related("team")
    if case.programme_id is not None:
        holds = Employee.competences.through.objects.filter(
            employee_id=OuterRef("pk"), programme_id=case.programme_id
        )
        employees = employees.annotate(competent=Exists(holds))
        return list(employees.order_by("-competent", "surname", "first_name"))
    rows = list(employees.order_by("surname", "first_name"))
    for row in rows:
        row.competent = True  # type: ignore[attr-defined]
    return rows


def institutions() -> list[ExternalInstitution]:
    return list(ExternalInstitution.objects.filter(is_active=True).order_by("name_lv"))


def events_after(case: Case, event_id: int) -> list[CaseEvent]:
    """What happened to ``case`` after the event the user had seen (for "changed meanwhile")."""
    return list(
        CaseEvent.objects.filter(case=case, pk__gt=event_id).select_related("actor").order_by("id")
    )


@dataclass(frozen=True, slots=True)
class InboxCounts:
    mine: int
    team: int
    unassigned: int
    overdue: int  # the employee's own active cases whose earliest deadline has passed


def inbox_counts(*, employee: Employee, now: datetime) -> InboxCounts:
    """How many active cases each view holds, in one query over the active cases (the partial
    index ``case_active_due`` serves it; measured at 1,000,000 cases in docs/desk.md)."""
    from django.db.models import Count

    mine = Q(assignee_id=employee.pk)
    team = Q(team_id=employee.team_id) if employee.team_id else Q(pk__in=[])
    counted = Case.objects.filter(status__in=ACTIVE_STATUSES).aggregate(
        mine=Count("id", filter=mine),
        team=Count("id", filter=team),
        unassigned=Count("id", filter=Q(assignee__isnull=True)),
        overdue=Count("id", filter=mine & Q(next_due_at__lt=now)),
    )
    return InboxCounts(**{k: int(v or 0) for k, v in counted.items()})
