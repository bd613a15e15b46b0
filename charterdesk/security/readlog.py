"""Writing, verifying and purging the read log [CONFIDENTIALITY] (see ``models.ReadLogEntry``).

``log_read`` is the one writer.  Rows form a hash chain: ``hash = sha256(prev_hash | fields)``.
Writers are serialised so that no two rows link to the same predecessor: on PostgreSQL by a
transaction-level advisory lock taken before the last row is read (held to the commit), on SQLite by
its single writer (``BEGIN IMMEDIATE``).  Ids come from the sequence after the lock, so id order is
chain order.

``verify`` walks the chain in id order and names the first row whose hash or link does not match.
``purge`` removes rows older than the retention period (``CHARTERDESK_READ_LOG_RETENTION_DAYS``) and
first appends a checkpoint row that records the last removed row's id and hash, so the rows that
remain still verify: the first of them must link to a checkpoint's recorded hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from charterdesk.security.models import ReadKind, ReadLogEntry

GENESIS = "0" * 64
# pg_advisory_xact_lock key: b"readlog" as a number; one lock for the one chain.
LOCK_KEY = int.from_bytes(b"readlog", "big")
HASHED = (
    "at",
    "user_id",
    "username",
    "kind",
    "object_id",
    "case_id",
    "client_id",
    "label",
    "source",
    "path",
    "ip",
)
_MAX_LENGTH: dict[str, int] = {
    name: int(getattr(ReadLogEntry._meta.get_field(name), "max_length", 0) or 0)
    for name in ("username", "label", "source", "path")
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return str(value)


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _head() -> str:
    last = ReadLogEntry.objects.order_by("-id").values_list("hash", flat=True).first()
    return last or GENESIS


def _client_ip(request: Any) -> str | None:
    if request is None:
        return None
    raw = (request.META.get("REMOTE_ADDR") or "").strip()
    return ReadLogEntry._meta.get_field("ip").get_prep_value(raw) if raw else None


def _payload(values: dict[str, Any]) -> str:
    return "\x1f".join(_text(values.get(name)) for name in HASHED)


def row_hash(prev_hash: str, values: dict[str, Any]) -> str:
    """The hash of one row: its predecessor's hash and its fields, unit-separated."""
    return hashlib.sha256(f"{prev_hash}\x1f{_payload(values)}".encode()).hexdigest()


def _append(values: dict[str, Any]) -> ReadLogEntry:
    """Append one row at the head of the chain (inside the caller's transaction, if any)."""
    for name, length in _MAX_LENGTH.items():
        values[name] = (values.get(name) or "")[:length]
    if connection.vendor == "postgresql":
        # One round trip: lock, head and insert in a function (migration 0002).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT new_id, new_prev, new_hash FROM security_readlog_append("
                "%s::timestamptz, %s::bigint, %s::varchar, %s::varchar, %s::bigint, %s::bigint, "
                "%s::bigint, %s::varchar, %s::varchar, %s::varchar, %s::inet, %s::text)",
                [*(values[name] for name in HASHED), _payload(values)],
            )
            row = cursor.fetchone()
        assert row is not None
        pk, prev, digest = row
        return ReadLogEntry(pk=pk, prev_hash=prev, hash=digest, **values)
    with transaction.atomic():
        _lock_chain()
        prev = _head()
        entry = ReadLogEntry(prev_hash=prev, hash=row_hash(prev, values), **values)
        entry.save(force_insert=True)
    return entry


def log_read(
    *,
    user: Any,
    kind: str,
    object_id: int | None = None,
    case_id: int | None = None,
    client_id: int | None = None,
    label: str = "",
    request: Any = None,
    source: str = "desk",
) -> ReadLogEntry:
    """Record that ``user`` saw something: who, when, what, from where.

    ``kind`` is a ``ReadKind`` (case, client, attachment, export); ``request`` gives the address
    and the path.  Call it where the thing is shown, after the access check."""
    ReadKind(kind)  # refuses an unknown kind
    is_user = user is not None and getattr(user, "is_authenticated", False)
    values: dict[str, Any] = {
        # Microseconds kept: the hash is over the stored value on every database.
        "at": timezone.now().astimezone(UTC),
        "user_id": user.pk if is_user else None,
        "username": user.get_username() if is_user else "",
        "kind": kind,
        "object_id": object_id,
        "case_id": case_id,
        "client_id": client_id,
        "label": label,
        "source": source,
        "path": request.get_full_path() if request is not None else "",
        "ip": _client_ip(request),
    }
    return _append(values)


def log_export(
    *, user: Any, what: str, rows: int, request: Any = None, source: str = "desk"
) -> ReadLogEntry:
    """Record an export (a report, a CSV, an API listing): what it was and how many rows."""
    return log_read(
        user=user,
        kind=ReadKind.EXPORT,
        object_id=rows,
        label=what,
        request=request,
        source=source,
    )


# --- verifying -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    ok: bool
    rows: int
    broken_id: int | None = None
    problem: str = ""
    head_id: int | None = None
    head_hash: str = GENESIS

    def __str__(self) -> str:
        if self.ok:
            return (
                f"read log intact: {self.rows} rows, last row {self.head_id or '-'}, "
                f"head hash {self.head_hash}"
            )
        return f"read log broken at row {self.broken_id}: {self.problem} ({self.rows} rows checked)"


def _rows() -> Iterator[dict[str, Any]]:
    names = ["id", *HASHED, "prev_hash", "hash"]
    for row in ReadLogEntry.objects.order_by("id").values_list(*names).iterator(chunk_size=5000):
        yield dict(zip(names, row, strict=True))


def _anchors() -> dict[str, int]:
    """Checkpoint rows' recorded hashes of the last purged row -> that row's id."""
    return {
        label: int(object_id or 0)
        for label, object_id in ReadLogEntry.objects.filter(kind=ReadKind.CHECKPOINT).values_list(
            "label", "object_id"
        )
    }


def verify() -> Verdict:
    """Walk the chain; the first row whose own hash or whose link does not match is named."""
    expected: str | None = None
    count = 0
    last: dict[str, Any] | None = None
    for row in _rows():
        count += 1
        if expected is None:
            if row["prev_hash"] != GENESIS:
                purged_through = _anchors().get(row["prev_hash"])
                if purged_through is None or row["id"] <= purged_through:
                    return Verdict(
                        False,
                        count,
                        row["id"],
                        "the first row links to a row that is neither the start of the log nor "
                        "recorded by a checkpoint (rows before it were removed)",
                    )
        elif row["prev_hash"] != expected:
            return Verdict(
                False,
                count,
                row["id"],
                "its link does not match the row before it (a row was removed or inserted "
                "before it)",
            )
        if row_hash(row["prev_hash"], row) != row["hash"]:
            return Verdict(False, count, row["id"], "its hash does not match its fields (changed)")
        expected = row["hash"]
        last = row
    return Verdict(
        True, count, last["id"] if last else None, head_hash=last["hash"] if last else GENESIS
    )


# --- purging ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Purged:
    rows: int
    through_id: int | None
    checkpoint_id: int | None


def retention() -> timedelta:
    return timedelta(days=int(getattr(settings, "CHARTERDESK_READ_LOG_RETENTION_DAYS", 1825)))


@transaction.atomic
def purge(*, now: datetime | None = None) -> Purged:
    """Remove the rows older than the retention period, leaving a checkpoint that keeps the rest
    verifiable.  The newest checkpoint row is never removed with them."""
    _lock_chain()
    cutoff = (now or timezone.now()) - retention()
    last = (
        ReadLogEntry.objects.filter(at__lt=cutoff).order_by("-id").values_list("id", "hash").first()
    )
    if last is None:
        return Purged(0, None, None)
    through_id, anchor = last
    checkpoint = _append(
        {
            "at": timezone.now().astimezone(UTC),
            "user_id": None,
            "username": "",
            "kind": ReadKind.CHECKPOINT.value,
            "object_id": through_id,
            "case_id": None,
            "client_id": None,
            "label": anchor,
            "source": "purge",
            "path": "",
            "ip": None,
        }
    )
    # The model refuses delete(); the purge is the one place rows leave, by a plain DELETE.
    removed = ReadLogEntry.objects.filter(id__lte=through_id)._raw_delete(ReadLogEntry.objects.db)
    return Purged(int(removed or 0), through_id, checkpoint.pk)
