"""Building and storing the search document of a case."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from charterdesk.cases.models import Case, Message
from charterdesk.search.text import fold

FTS_TABLE = "search_fts"
# tsvector values are limited to 1 MB; a case with megabytes of mail is cut, newest text last.
MAX_TEXT = 200_000


def _national_phone(phone: str) -> str:
    """``+37167774010`` -> ``67774010`` so the number is found as people type it."""
    return phone[4:] if phone.startswith("+371") else ""


# What a document says about its case and client, read as values (no model instances).
_CASE_FIELDS = (
    "pk",
    "reference",
    "subject",
    "client__name",
    "client__email",
    "client__phone",
    "client__registration_number",
)


def document_text(head: Sequence[str], bodies: Iterable[str]) -> str:
    """``head``: the case's values of ``_CASE_FIELDS`` after the primary key."""
    reference, subject, name, email, phone, registration_number = head
    parts = [
        reference,
        subject,
        name,
        email,
        phone,
        _national_phone(phone),
        registration_number,
        *bodies,
    ]
    return fold(" ".join(p for p in parts if p))[:MAX_TEXT]


def _documents(cases: Iterable[Sequence[Any]]) -> list[tuple[int, str]]:
    """``(case id, text)`` for rows of ``_CASE_FIELDS``: their messages read with one query."""
    heads = {row[0]: row[1:] for row in cases}
    if not heads:
        return []
    texts: dict[int, list[str]] = {pk: [] for pk in heads}
    for case_id, subject, body in (
        Message.objects.filter(case_id__in=list(heads))
        .order_by("case_id", "created_at", "id")
        .values_list("case_id", "subject", "body")
    ):
        texts[case_id].append(f"{subject} {body}")
    return [(pk, document_text(head, texts[pk])) for pk, head in heads.items()]


def store(rows: list[tuple[int, str]]) -> None:
    """Upsert ``(case_id, folded text)`` rows for the current database."""
    if not rows:
        return
    now = timezone.now()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.executemany(
                "INSERT INTO search_searchdocument (case_id, text, vector, updated_at) "
                "VALUES (%s, %s, to_tsvector('simple', %s), %s) "
                "ON CONFLICT (case_id) DO UPDATE SET text = EXCLUDED.text, "
                "vector = EXCLUDED.vector, updated_at = EXCLUDED.updated_at",
                [(pk, text, text, now) for pk, text in rows],
            )
            return
        cursor.executemany(
            "INSERT INTO search_searchdocument (case_id, text, vector, updated_at) "
            "VALUES (%s, %s, NULL, %s) ON CONFLICT (case_id) DO UPDATE SET "
            "text = excluded.text, updated_at = excluded.updated_at",
            [(pk, text, now) for pk, text in rows],
        )
        if connection.vendor == "sqlite":
            # A constant table name; the values are parameters.
            delete = f"DELETE FROM {FTS_TABLE} WHERE rowid = %s"  # nosec B608
            insert = f"INSERT INTO {FTS_TABLE} (rowid, body) VALUES (%s, %s)"  # nosec B608
            cursor.executemany(delete, [(pk,) for pk, _ in rows])
            cursor.executemany(insert, list(rows))


def index_cases(case_ids: list[int]) -> None:
    """Rebuild the documents of ``case_ids`` with two reads and one upsert (in the transaction
    that changed them)."""
    if not case_ids:
        return
    cases = Case.objects.filter(pk__in=case_ids).order_by("pk").values_list(*_CASE_FIELDS)
    store(_documents(cases))


def rebuild(batch_size: int = 2000, progress: bool = False) -> int:
    """Rebuild every document from the cases and messages; returns the number of cases."""
    done = 0
    last = 0
    while True:
        cases = list(
            Case.objects.filter(pk__gt=last).order_by("pk").values_list(*_CASE_FIELDS)[:batch_size]
        )
        if not cases:
            break
        with transaction.atomic():
            store(_documents(cases))
        done += len(cases)
        last = cases[-1][0]
        if progress:
            print(f"  {done} cases indexed", flush=True)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # Cases erased since the last rebuild leave rows behind in the FTS table.
            cursor.execute(
                # A constant table name.
                f"DELETE FROM {FTS_TABLE} "  # nosec B608
                "WHERE rowid NOT IN (SELECT case_id FROM search_searchdocument)"
            )
    return done
