"""Reads for the desk: the inbox with keyset pagination and what the case page shows beside a case.

The inbox is sorted by (next_due_at NULLS LAST, id) by default, which the case indexes on (…,
status, next_due_at, id) serve; the other sorts (``SORTS``: received, client, subject, each both
ways) are keyset-paged the same way on (value, id).  A page is found by the last row of the
previous one (a keyset cursor), never by OFFSET, so page 500 costs what page 1 costs, and the
number of queries per page does not depend on the number of rows.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet

from charterdesk.cases.access import cases_visible_to, sees_every_case_of
from charterdesk.cases.models import Attachment, Case, CaseEvent, Direction, Message, MessageKind
from charterdesk.cases.status import ACTIVE
from charterdesk.directory.models import Employee, ExternalInstitution
from charterdesk.search.query import is_reference, search_cases, walk_for_matches
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
    """The last row of a page: its sort value (a deadline, None: no deadline, sorted last; a
    received moment; a client's name or a subject) and id."""

    value: datetime | str | None
    pk: int

    def encode(self) -> str:
        if self.value is None:
            return f"n.{self.pk}"
        if isinstance(self.value, str):
            text = base64.urlsafe_b64encode(self.value.encode()).decode().rstrip("=")
            return f"s{text}.{self.pk}"
        micros = (self.value - EPOCH) // timedelta(microseconds=1)
        return f"{micros}.{self.pk}"

    @classmethod
    def decode(cls, raw: str) -> Cursor:
        """Raises ``ValueError`` for anything that is not a cursor this module made."""
        value_part, _sep, pk_part = (raw or "").partition(".")
        pk = int(pk_part)
        if pk < 0:
            raise ValueError(raw)
        if value_part == "n":
            return cls(None, pk)
        if value_part.startswith("s"):
            text = value_part[1:]
            padded = text + "=" * (-len(text) % 4)
            return cls(base64.urlsafe_b64decode(padded.encode()).decode(), pk)
        return cls(EPOCH + timedelta(microseconds=int(value_part)), pk)


@dataclass(frozen=True, slots=True)
class Sort:
    """One order of the inbox: a column (``field``), its direction, and (value, id) as the key."""

    key: str  # as in the URL: ``sort=received``
    field: str
    descending: bool = False
    nullable: bool = False  # only the deadline: rows without one come last either way
    text: bool = False  # the cursor carries a string

    @property
    def column(self) -> str:
        return self.key.lstrip("-")

    def order_by(self) -> list[Any]:
        # NULLS LAST only where a column has NULLs: a plain DESC is what a backward scan of an
        # ascending index gives (PostgreSQL), so "newest first" reads the index without a sort.
        nulls = {"nulls_last": True} if self.nullable else {}
        value = F(self.field).desc(**nulls) if self.descending else F(self.field).asc(**nulls)
        return [value, "-id" if self.descending else "id"]

    def value_of(self, case: Case) -> datetime | str | None:
        row: Any = case
        for part in self.field.split("__"):
            row = getattr(row, part)
        return row  # type: ignore[no-any-return]

    def fits(self, cursor: Cursor) -> bool:
        """Whether ``cursor`` could have come from this order (a link edited by hand may not)."""
        if cursor.value is None:
            return self.nullable
        return isinstance(cursor.value, str) == self.text


DEFAULT_SORT = "due"
# The deadline first, soonest first (the default); the newest received first; names A–Z.  Each
# column's other direction is the same key with or without "-".
SORTS: dict[str, Sort] = {
    s.key: s
    for s in (
        Sort("due", "next_due_at", nullable=True),
        Sort("-due", "next_due_at", descending=True, nullable=True),
        Sort("-received", "created_at", descending=True),
        Sort("received", "created_at"),
        Sort("client", "client__name", text=True),
        Sort("-client", "client__name", descending=True, text=True),
        Sort("subject", "subject", text=True),
        Sort("-subject", "subject", descending=True, text=True),
    )
}
# What a click on a column's header asks for first.
FIRST_DIRECTION = {"due": "due", "received": "-received", "client": "client", "subject": "subject"}


@dataclass(frozen=True)
class InboxFilters:
    scope: str = Scope.MINE
    programme: int | None = None
    status: str = "active"  # "active", "all" or a status value
    channel: str = ""
    office: int | None = None
    breached: bool = False
    query: str = ""
    sort: str = DEFAULT_SORT  # a key of SORTS


@dataclass
class InboxPage:
    cases: list[Case]
    next_cursor: Cursor | None
    first_page: bool
    filters: InboxFilters = field(default_factory=InboxFilters)
    # Cases whose latest e-mail to the client came back or could not be sent.
    undelivered: set[int] = field(default_factory=set)
    # The client wrote after our latest answer; changed since the employee last opened the case.
    wrote_again: set[int] = field(default_factory=set)
    unseen: set[int] = field(default_factory=set)


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


# Outbound messages that are not an answer of ours: the automatic acknowledgement and the rest.
NOT_ANSWERS = (MessageKind.ACK, MessageKind.SURVEY, MessageKind.INVITATION, MessageKind.REMINDER)


def client_wrote_again(case_ids: list[int]) -> set[int]:
    """Those of ``case_ids`` whose client's latest inbound message is newer than our latest answer
    (an outbound message that is not automatic).  A case we have not answered yet is not marked:
    the client has not written *again*.  One query over the messages' ``(case, created_at)``
    index."""
    rows = (
        Message.objects.filter(case_id__in=case_ids)
        .values("case_id")
        .annotate(
            last_in=Max("created_at", filter=Q(direction=Direction.INBOUND)),
            last_answer=Max(
                "created_at",
                filter=Q(direction=Direction.OUTBOUND)
                & ~Q(kind__in=[k.value for k in NOT_ANSWERS]),
            ),
        )
        .order_by()
    )
    return {
        r["case_id"]
        for r in rows
        if r["last_in"] and r["last_answer"] and r["last_in"] > r["last_answer"]
    }


def unseen_by(employee: Employee, cases: list[Case]) -> set[int]:
    """Those of ``cases`` changed since ``employee`` last opened them (or never opened): one query
    for the page (``desk.CaseSeen``, unique on (employee, case)).  ``cases`` carry ``updated_at``."""
    from charterdesk.desk.models import CaseSeen

    seen = dict(
        CaseSeen.objects.filter(employee=employee, case_id__in=[c.pk for c in cases]).values_list(
            "case_id", "seen_at"
        )
    )
    return {c.pk for c in cases if c.pk not in seen or c.updated_at > seen[c.pk]}


def _view_cases(
    *, employee: Employee, filters: InboxFilters, now: datetime, deadline: bool | None = None
) -> QuerySet[Case]:
    """The cases of the view, unordered and without the columns (shared by the page and its live
    version); ``deadline`` True / False keeps only those with / without a ``next_due_at``
    (``inbox_page`` reads a search in those two parts)."""
    cases = Case.objects.all()
    # [CONFIDENTIALITY] cases/access.py: the rule on every view, except where the view itself
    # keeps only cases the employee always sees (their own, their team's).
    implied = False
    if filters.scope == Scope.MINE:
        cases = cases.filter(assignee=employee)
        implied = sees_every_case_of(employee, assignee_id=employee.pk)
    elif filters.scope == Scope.TEAM:
        cases = cases.filter(team_id=employee.team_id) if employee.team_id else cases.none()
        implied = sees_every_case_of(employee, team_id=employee.team_id)
    if not implied:  # "unassigned": the rule's own narrowing (cases/access.py)
        cases = cases_visible_to(employee, cases, unassigned=filters.scope == Scope.UNASSIGNED)
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
    return cases


def inbox_version(*, employee: Employee, filters: InboxFilters, now: datetime) -> str:
    """The view's version for live updates: its first page as the desk shows it — which cases, in
    which order, and when each last changed (one query of ``PAGE_SIZE`` rows over the page's own
    index).  A case that enters or leaves the first page, or one on it that changes (every
    service bumps ``updated_at``: ``cases/services/_common.py:lock``, and so does a client's new
    message, ``receive.py``), gives a new version; what lies past the first page does not (a
    later page is loaded by hand).  Counting the whole view instead cost 130 ms per poll for
    "all statuses" at 1,000,000 cases."""
    sort = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    rows = (
        _view_cases(employee=employee, filters=filters, now=now)
        .order_by(*sort.order_by())
        .values_list("id", "updated_at")[:PAGE_SIZE]
    )
    return version_of(rows)


def version_of(rows: Iterable[tuple[int, datetime]]) -> str:
    """The version of a first page given as (id, updated_at) in its order (``inbox_version``);
    the inbox page passes the rows it has just read instead of asking again."""
    text = ";".join(f"{pk}:{(at - EPOCH) // timedelta(microseconds=1)}" for pk, at in rows)
    return f'"{hashlib.blake2b(text.encode(), digest_size=12).hexdigest()}"'


def inbox_queryset(
    *, employee: Employee, filters: InboxFilters, now: datetime, deadline: bool | None = None
) -> QuerySet[Case]:
    """The view's cases with the inbox's columns, in the order of ``filters.sort``."""
    cases = _view_cases(employee=employee, filters=filters, now=now, deadline=deadline)
    cases = cases.select_related("client", "programme", "assignee", "office").only(
        "reference",
        "subject",
        "channel",
        "status",
        "next_due_at",
        "created_at",
        "updated_at",
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
    return cases.order_by(*SORTS.get(filters.sort, SORTS[DEFAULT_SORT]).order_by())


def after(cases: QuerySet[Case], cursor: Cursor, sort: Sort | None = None) -> QuerySet[Case]:
    """The rows after ``cursor`` in ``sort``'s (value, id) order (default: the deadline, NULLS
    LAST)."""
    sort = sort or SORTS[DEFAULT_SORT]
    cmp = "lt" if sort.descending else "gt"
    name = sort.field
    if cursor.value is None:
        return cases.filter(**{f"{name}__isnull": True, f"pk__{cmp}": cursor.pk})
    later = Q(**{f"{name}__{cmp}": cursor.value}) | Q(
        **{name: cursor.value, f"pk__{cmp}": cursor.pk}
    )
    if sort.nullable:
        later |= Q(**{f"{name}__isnull": True})
    return cases.filter(later)


def _search_rows(
    *, employee: Employee, filters: InboxFilters, cursor: Cursor | None, now: datetime, size: int
) -> list[Case]:
    """A page of a search in deadline order, read in its two parts: the matches with a deadline
    (sorted by it), then — only if the page is not full — those without (sorted by id).  The first
    part is one GIN scan of the documents with a deadline (their own partial index, search/0003),
    so the first page of a common word over all statuses reads the few matches with a deadline,
    not every match in the archive; the second walks the archive in id order when the word is
    common, else scans the whole index."""
    rows: list[Case] = []
    plain = replace(filters, query="")  # the same view without the search, for the walk

    def part(deadline: bool, need: int) -> list[Case]:
        def narrowed(f: InboxFilters) -> QuerySet[Case]:
            cases = inbox_queryset(employee=employee, filters=f, now=now, deadline=deadline)
            if cursor is not None and deadline:
                cases = after(cases, cursor)
            elif cursor is not None and cursor.value is None:
                cases = cases.filter(pk__gt=cursor.pk)
            return cases

        # With a deadline: the index of those documents alone (search/0003) is small.  Without
        # one (the archive, 90 % of the cases): a common word is looked for by walking the page's
        # own order first (search/query.py, walk_for_matches).
        walked = None if deadline else walk_for_matches(narrowed(plain), filters.query, need)
        return walked if walked is not None else list(narrowed(filters)[:need])

    if cursor is None or cursor.value is not None:
        rows = part(True, size + 1)
    if len(rows) <= size:
        rows += part(False, size + 1 - len(rows))
    return rows


def inbox_page(
    *,
    employee: Employee,
    filters: InboxFilters,
    cursor: Cursor | None,
    now: datetime,
    size: int = PAGE_SIZE,
) -> InboxPage:
    sort = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    if filters.query and not is_reference(filters.query) and sort.key == DEFAULT_SORT:
        rows = _search_rows(employee=employee, filters=filters, cursor=cursor, now=now, size=size)
    else:
        cases = inbox_queryset(employee=employee, filters=filters, now=now)
        if cursor is not None:
            cases = after(cases, cursor, sort)
        rows = list(cases[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = Cursor(sort.value_of(rows[-1]), rows[-1].pk) if more else None
    ids = [c.pk for c in rows]
    return InboxPage(
        cases=rows,
        next_cursor=next_cursor,
        first_page=cursor is None,
        filters=filters,
        undelivered=undelivered_mail(ids),
        wrote_again=client_wrote_again(ids) if ids else set(),
        unseen=unseen_by(employee, rows) if rows else set(),
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


#: A view's count is exact up to this; past it the tab says "999+".  Counting every active case of
#: a large team or queue on every page view would read them all (at 1,000,000 cases: ~50 ms for
#: the four counts, most of the inbox's time); a capped count reads at most this many index rows.
COUNT_CAP = 999


@dataclass(frozen=True, slots=True)
class InboxCounts:
    """Active cases per view, each at most ``COUNT_CAP + 1`` (shown as "999+")."""

    mine: int
    team: int
    unassigned: int
    overdue: int  # the employee's own active cases whose earliest deadline has passed


def _capped(cases: QuerySet[Case]) -> int:
    return cases.order_by()[: COUNT_CAP + 1].count()


def inbox_counts(*, employee: Employee, now: datetime) -> InboxCounts:
    """How many active cases each view holds, as the views list them: the team's and the
    unassigned ones only those the employee may see (``cases/access.py``).  Four capped counts,
    each over a partial index of the active cases (``case_active_assignee_due``,
    ``case_active_team_due``, ``case_active_unassigned_due``: index-only)."""
    active = Case.objects.filter(status__in=ACTIVE_STATUSES)
    mine = active.filter(assignee_id=employee.pk)
    team = (
        active
        if sees_every_case_of(employee, team_id=employee.team_id)
        else cases_visible_to(employee, active)
    )
    unassigned = cases_visible_to(employee, active, unassigned=True)
    return InboxCounts(
        mine=_capped(mine),
        team=_capped(team.filter(team_id=employee.team_id)) if employee.team_id else 0,
        unassigned=_capped(unassigned),
        overdue=_capped(mine.filter(next_due_at__lt=now)),
    )
