"""Filtering cases by a search box entry: full-text, never ``LIKE '%…%'``."""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from charterdesk.cases.models import Case
from charterdesk.search.indexing import FTS_TABLE
from charterdesk.search.text import query_terms

# A case reference typed whole (ALT-2026-000123) goes straight to the unique index.
REFERENCE = re.compile(r"^[A-Za-z]{2,10}-\d{4}-\d{1,9}$")


def search_cases(cases: QuerySet[Case], query: str) -> QuerySet[Case]:
    """``cases`` narrowed to those whose document has every word of ``query`` (as a prefix).

    An empty query (or one with no searchable word) returns no cases rather than all of them."""
    query = (query or "").strip()
    if REFERENCE.match(query):
        return cases.filter(reference=query.upper())
    terms = query_terms(query)
    if not terms:
        return cases.none()
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{term}:*" for term in terms)
        return cases.filter(
            search_document__vector=SearchQuery(tsquery, search_type="raw", config="simple")
        )
    if connection.vendor == "sqlite":
        match = " ".join(f'"{term}"*' for term in terms)
        # A constant table name; the search text is a parameter.
        sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # nosec B608
        return cases.filter(
            pk__in=RawSQL(sql, [match])  # nosec B611
        )
    raise NotImplementedError(f"full-text search is not set up for {connection.vendor}")
