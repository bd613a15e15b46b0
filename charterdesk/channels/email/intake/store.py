"""Step one of intake: keep the raw bytes, in their own transaction, before anything else.

The SHA-256 of the bytes is unique, so the same message delivered twice (a re-run import, an IMAP
fetch repeated after a crash, an MTA retrying) creates nothing new.  A crash after this step loses
nothing: :mod:`.process` takes every stored-but-unprocessed row, whenever it next runs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from charterdesk.channels.email.models import InboundEmail
from charterdesk.core.bulk import copy_insert

_HEAD_END = re.compile(rb"\r?\n\r?\n")
_MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(?:\r?\n[ \t]+)?(<[^<>\s]+>)", re.I | re.M)
_RECEIVED_DATE = re.compile(rb"^Received:(?:[^\n]|\n[ \t])*?;\s*((?:[^\n]|\n[ \t])+)", re.I | re.M)
_DATE = re.compile(rb"^Date:[ \t]*((?:[^\n]|\n[ \t])+)", re.I | re.M)


@dataclass(slots=True)
class RawMail:
    """A message as a transport hands it over."""

    raw: bytes
    source: str
    source_ref: str = ""
    received_at: datetime | None = None
    envelope: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class StoreResult:
    new: int = 0
    known: int = 0


def head_of(raw: bytes, limit: int = 64 * 1024) -> bytes:
    match = _HEAD_END.search(raw, 0, limit)
    return raw[: match.start()] if match else raw[:limit]


def message_id_of(raw: bytes) -> str:
    match = _MESSAGE_ID.search(head_of(raw))
    return match.group(1).decode("ascii", "replace")[:300] if match else ""


def _header_date(value: bytes) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value.decode("ascii", "replace").replace("\n", " ").strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def arrival_time(raw: bytes) -> datetime | None:
    """When the message reached its mail server: the date of the topmost ``Received`` header,
    else its ``Date``.  Used for imported mail, whose clock must not start on the import day."""
    head = head_of(raw)
    for pattern in (_RECEIVED_DATE, _DATE):
        match = pattern.search(head)
        if match:
            found = _header_date(match.group(1))
            if found is not None:
                return found
    return None


def store_raw(mails: Sequence[RawMail], *, also: Callable[[], None] | None = None) -> StoreResult:
    """Store ``mails`` in one transaction; ``also`` runs in the same transaction (an IMAP
    transport records the last UID it took with it).  Returns how many were new."""
    now = timezone.now()
    rows: dict[str, InboundEmail] = {}
    for mail in mails:
        digest = hashlib.sha256(mail.raw).hexdigest()
        if digest in rows:
            continue
        rows[digest] = InboundEmail(
            sha256=digest,
            message_id=message_id_of(mail.raw),
            raw=mail.raw,
            size=len(mail.raw),
            source=mail.source[:200],
            source_ref=mail.source_ref[:500],
            envelope=mail.envelope,
            received_at=mail.received_at or now,
            stored_at=now,
        )
    result = StoreResult()
    with transaction.atomic():
        if rows:
            known = set(
                InboundEmail.objects.filter(sha256__in=list(rows)).values_list("sha256", flat=True)
            )
            fresh = [row for digest, row in rows.items() if digest not in known]
            try:
                with transaction.atomic():
                    copy_insert(fresh)
            except IntegrityError:
                # Another receiver stored some of the same bytes meanwhile: that is no error.
                InboundEmail.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=200)
            result.new = len(fresh)
            result.known = len(mails) - len(fresh)
        if also is not None:
            also()
    return result
