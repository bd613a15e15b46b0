"""Filtering cases by a search box entry: full-text, never ``LIKE '%…%'``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from charterdesk.cases.models import Case
from charterdesk.search.indexing import FTS_TABLE
from charterdesk.search.text import query_terms
from charterdesk.security.principal import Role, principal_of

# A case reference typed whole (ALT-2026-000123) goes straight to the unique index.
REFERENCE = re.compile(r"^[A-Za-z]{2,10}-\d{4}-\d{1,9}$")


# Up to this many matching documents, a search looks its cases up by id (search_cases).
FEW = 2000
SEARCH_WORK_MEM = "32MB"


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
        params: list[Any] = [" & ".join(f"{term}:*" for term in terms)]
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
