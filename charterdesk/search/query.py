"""Filtering cases by a search box entry: full-text, never ``LIKE '%…%'``."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, Expression, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL

from charterdesk.cases.models import Case
from charterdesk.search.indexing import FTS_TABLE
from charterdesk.search.models import SearchDocument
from charterdesk.search.text import query_terms
from charterdesk.security.principal import Role, principal_of

# A case reference typed whole (ALT-2026-000123) goes straight to the unique index.
REFERENCE = re.compile(r"^[A-Za-z]{2,10}-\d{4}-\d{1,9}$")


# Up to this many matching documents, a search looks its cases up by id (search_cases).
FEW = 2000
SEARCH_WORK_MEM = "32MB"
# Words in at least this share of all documents (by the planner's estimate) are looked for by
# walking the page's own order first (``walk_for_matches``): WALK cases in that order, each one's
# document checked.  Collecting such a word's matches by the index costs 100–300 ms at a million
# cases (the bitmap of 10,000–170,000 documents); the walk finds a page of 50 in a few ms when
# the word is in more than ~3 % of the cases walked (docs/desk.md, "Common words").
DENSE = 0.01
WALK = 2000


def visible_facets(who: Any) -> list[str] | None:
    """The facets (migration ``search/0002``) one of which a case's search document carries if
    ``who`` may see the case — ``cases.access.visible_q`` in the document's terms — or ``None``
    when the documents are not narrowed for this person (the system, a client, someone who sees
    nothing: the case rule alone answers for them).

    Only a pre-filter for the index: ``search_cases`` is given cases already narrowed by the rule,
    so these can make a search faster, never show more."""
    p = principal_of(who)
    if p.system or p.client_id is not None or p.employee_id is None:
        return None
    if Role.EMPLOYEE not in p.roles:
        return None
    me = p.employee_id
    facets = [f"a:{me}", f"n:{me}", *(f"t:{t}" for t in sorted(p.team_ids))]
    if p.reads_all:
        facets.append("pub")
    else:
        facets += ["gen", *(f"p:{pk}" for pk in sorted(p.programme_ids))]
    return facets


class _DocumentMatches(Expression):
    """True where the case's own document has the words: ``(SELECT vector FROM
    search_searchdocument WHERE case_id = <the case>) @@ to_tsquery('simple', <words>)``.

    A scalar subquery, so the database cannot turn it into a join that first collects every
    matching document: it looks at one document per case."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, tsquery: str) -> None:
        super().__init__()
        self.vector: Any = Subquery(
            SearchDocument.objects.filter(case_id=OuterRef("pk")).values("vector")[:1]
        )
        self.tsquery = tsquery

    def get_source_expressions(self) -> list[Any]:
        return [self.vector]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.vector,) = exprs

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.vector)
        return f"{sql} @@ to_tsquery('simple', %s)", (*params, self.tsquery)


def _tsquery(terms: Sequence[str]) -> str:
    return " & ".join(f"{term}:*" for term in terms)


def _common(tsquery: str) -> bool:
    """Whether the planner reckons the words in at least DENSE of all documents (its statistics
    of ``vector``'s words and ``pg_class.reltuples``; EXPLAIN plans, runs nothing)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (FORMAT JSON) SELECT 1 FROM search_searchdocument"
            " WHERE vector @@ to_tsquery('simple', %s)",
            [tsquery],
        )
        plan = cursor.fetchone()[0]
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = 'search_searchdocument'::regclass"
        )
        documents = float(cursor.fetchone()[0])
    if isinstance(plan, str):
        plan = json.loads(plan)
    return documents > 0 and float(plan[0]["Plan"]["Plan Rows"]) >= DENSE * documents


def walk_for_matches(ordered: QuerySet[Case], query: str, need: int) -> list[Case] | None:
    """The first ``need`` cases of ``ordered`` whose documents have every word of ``query``, found
    by checking the documents of the first WALK cases in ``ordered``'s order — or ``None`` when
    that does not settle it: not PostgreSQL, a reference or no word, words not common (then the
    index is the cheaper way: ``search_cases``), or fewer than ``need`` among WALK cases that are
    not all there are.

    ``ordered``: the page's cases without the search (the same person's rule, filters, cursor
    and order), so what is found is exactly the page ``search_cases`` would give."""
    query = (query or "").strip()
    if connection.vendor != "postgresql" or is_reference(query):
        return None
    terms = query_terms(query)
    if not terms or not _common(tsquery := _tsquery(terms)):
        return None
    window = list(ordered.values_list("pk", flat=True)[:WALK])
    found = list(ordered.filter(pk__in=window).filter(_DocumentMatches(tsquery))[:need])
    if len(found) >= need or len(window) < WALK:
        return found
    return None


def is_reference(query: str) -> bool:
    """A whole case reference: ``search_cases`` looks it up by the unique index alone."""
    return bool(REFERENCE.match((query or "").strip()))


def search_cases(
    cases: QuerySet[Case],
    query: str,
    *,
    who: Any = None,
    statuses: Sequence[str] | None = None,
    deadline: bool | None = None,
    narrow: Sequence[str] | None = None,
) -> QuerySet[Case]:
    """``cases`` narrowed to those whose document has every word of ``query`` (as a prefix).

    ``who``, ``statuses`` and ``deadline`` (with a ``next_due_at`` or without) say what ``cases``
    was already narrowed to (the person whose rule filtered it, the statuses shown, one side of
    the deadline order); on PostgreSQL the same conditions then filter the search documents
    inside the one GIN scan, so a search reads only the matches the person may see in those
    statuses instead of walking every case in deadline order (docs/security.md, "Search").
    ``narrow``: further facets one of which the documents must carry (a view such as "mine":
    ``a:<employee id>``), again only what ``cases`` was already narrowed to.
    On PostgreSQL the documents are read at once (their ids, when at most ``FEW``).
    An empty query (or one with no searchable word) returns no cases rather than all of them."""
    query = (query or "").strip()
    if is_reference(query):
        return cases.filter(reference=query.upper())
    terms = query_terms(query)
    if not terms:
        return cases.none()
    if connection.vendor == "postgresql":
        sql = "SELECT case_id FROM search_searchdocument WHERE vector @@ to_tsquery('simple', %s)"
        params: list[Any] = [_tsquery(terms)]
        facets = visible_facets(who) if who is not None else None
        if facets is not None:
            sql += " AND facets && %s::text[]"
            params.append(facets)
        if statuses is not None:
            sql += " AND facets && %s::text[]"
            params.append([f"s:{s}" for s in statuses])
        if narrow:
            sql += " AND facets && %s::text[]"
            params.append(list(narrow))
        if deadline is not None:
            sql += " AND facets && %s::text[]"
            params.append(["due" if deadline else "nodue"])
        # Few matches: read their ids now (one GIN scan that stops after FEW + 1 rows) and look the
        # cases up by primary key.  Many: they are dense among the cases, and walking the cases in
        # the page's order until a page is full is cheaper; the database does that with the same
        # condition as a subquery.  Constant SQL; the words and facets are parameters.
        # A prefix common in the archive ("mikrokred" in 8 % of cases) collects its documents
        # in a bitmap that the default 4 MB of work_mem makes lossy (page by page: tens of
        # thousands of rows rechecked); a little more memory for this one statement keeps it exact.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{SEARCH_WORK_MEM}'")
            cursor.execute(f"{sql} LIMIT {FEW + 1}", params)  # nosec B608
            ids = [row[0] for row in cursor.fetchall()]
        if len(ids) <= FEW:
            return cases.filter(pk__in=ids)
        return cases.filter(pk__in=RawSQL(sql, params))  # nosec B611
    if connection.vendor == "sqlite":
        match = " ".join(f'"{term}"*' for term in terms)
        # A constant table name; the search text is a parameter.
        sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # nosec B608
        return cases.filter(
            pk__in=RawSQL(sql, [match])  # nosec B611
        )
    raise NotImplementedError(f"full-text search is not set up for {connection.vendor}")
