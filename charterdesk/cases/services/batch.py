"""Many inbound client messages at once (e-mail intake): the batch form of ``case_open`` +
``case_add_message(direction="in", kind="request")``.

:func:`case_receive_batch` writes exactly the rows and events the per-message services would write
for the same items in the same order (same event types and params, same status rule, same version
bumps, references in the same order), with a handful of statements per batch instead of a dozen
per message: one counter update reserves every new reference of a year, cases, messages,
attachments and events are bulk-inserted, and the listeners hear the events through
:func:`charterdesk.cases.events.record_events_bulk`.  The desk keeps using the per-message services.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.timezone import localtime

from charterdesk.cases.errors import CaseError
from charterdesk.cases.events import record_events_bulk
from charterdesk.cases.models import (
    Case,
    CaseEvent,
    Channel,
    Direction,
    Message,
    MessageKind,
    ReferenceCounter,
)
from charterdesk.cases.services._common import check_transition
from charterdesk.cases.services.messages import AttachmentData, attachment_rows
from charterdesk.cases.status import Status
from charterdesk.clients.models import Client
from charterdesk.core.bulk import copy_insert
from charterdesk.directory.models import Programme
from charterdesk.standard.events import Event

_REOPENING = (Status.WAITING, Status.RESOLVED, Status.CLOSED)


@dataclass(frozen=True, slots=True)
class InboundItem:
    """One message from a client: on the existing case ``case_id``, on the case of an earlier item
    of the same batch (``same_case_as``: its index), or opening a new case for ``client`` (with
    ``channel``, ``subject``, ``programme``, ``language`` as ``case_open`` takes them).  The
    message fields are those of ``case_add_message``."""

    body: str
    case_id: int | None = None
    same_case_as: int | None = None
    client: Client | None = None
    channel: str | None = None
    subject: str = ""
    programme: Programme | None = None
    language: str | None = None
    body_html: str = ""
    sender: str = ""
    recipients: str = ""
    message_id: str = ""
    in_reply_to: str = ""
    references: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    attachments: Sequence[AttachmentData] = ()
    at: datetime | None = None


def _reserve_references(years: list[int]) -> list[str]:
    """References for new cases opened in ``years`` (one per entry, in order): one counter update
    per year reserves the whole range (``last = last + n``) under the counter's row lock."""
    prefix = settings.CHARTERDESK_CASE_PREFIX
    wanted: dict[int, int] = {}
    for year in years:
        wanted[year] = wanted.get(year, 0) + 1
    ReferenceCounter.objects.bulk_create(
        [ReferenceCounter(prefix=prefix, year=year, last=0) for year in sorted(wanted)],
        ignore_conflicts=True,
    )
    following: dict[int, int] = {}
    for year in sorted(wanted):  # always the same order: no deadlock between two batches
        counter = ReferenceCounter.objects.filter(prefix=prefix, year=year)
        counter.update(last=F("last") + wanted[year])
        last = counter.values_list("last", flat=True).get()
        following[year] = last - wanted[year] + 1
    out: list[str] = []
    for year in years:
        out.append(f"{prefix}-{year}-{following[year]:06d}")
        following[year] += 1
    return out


@transaction.atomic
def case_receive_batch(items: Sequence[InboundItem]) -> list[Message]:
    """Take in ``items`` in order, atomically; returns their messages (in the same order).

    Equal to ``case_open`` (for an item without ``case_id``) followed by
    ``case_add_message(direction="in", kind="request", …)`` per item: a client message brings a
    waiting, resolved or closed case back to open unless ``meta["auto_submitted"]``."""
    if not items:
        return []
    wall = timezone.now()
    moments = [item.at or wall for item in items]
    # --- the cases: existing ones locked (in id order), new ones opened with reserved references
    existing_ids = sorted({item.case_id for item in items if item.case_id is not None})
    cases: dict[int, Case] = {
        case.pk: case
        for case in Case.objects.select_for_update().filter(pk__in=existing_ids).order_by("pk")
    }
    missing = set(existing_ids) - set(cases)
    if missing:
        raise CaseError(f"No case with id {', '.join(str(pk) for pk in sorted(missing))}.")
    for i, item in enumerate(items):
        if item.same_case_as is not None and not 0 <= item.same_case_as < i:
            raise CaseError(f"Item {i} names item {item.same_case_as}, which is not before it.")
    opening = [
        i for i, item in enumerate(items) if item.case_id is None and item.same_case_as is None
    ]
    new_cases: list[Case] = []
    if opening:
        references = _reserve_references([localtime(moments[i]).year for i in opening])
        for i, reference in zip(opening, references, strict=True):
            item = items[i]
            if item.client is None:
                raise CaseError(f"Item {i} opens a case but names no client.")
            if item.channel is None:
                raise CaseError(f"Item {i} opens a case but names no channel.")
            subject = (item.subject or "").strip()[:300]
            new_cases.append(
                Case(
                    reference=reference,
                    subject=subject or "—",
                    client=item.client,
                    programme=item.programme,
                    channel=Channel(item.channel),
                    status=Status.NEW,
                    language=item.language or item.client.language,
                    created_at=moments[i],
                    updated_at=moments[i],
                    version=1,
                )
            )
    case_of: list[Case] = []
    opened_by = dict(zip(opening, new_cases, strict=True))
    for i, item in enumerate(items):
        if item.same_case_as is not None:
            case_of.append(case_of[item.same_case_as])
        else:
            case_of.append(opened_by[i] if item.case_id is None else cases[item.case_id])
    # --- the messages, status changes and events, item by item as the services would
    messages: list[Message] = []
    events: list[CaseEvent] = []
    for i, item in enumerate(items):
        case = case_of[i]
        now = moments[i]
        if i in opened_by:
            events.append(
                CaseEvent(
                    case=case,
                    type=Event.CASE_OPENED.value,
                    at=now,
                    params={"channel": Channel(item.channel or "").value},
                )
            )
        case.version += 1  # the lock of case_add_message
        case.updated_at = timezone.now()
        message = Message(
            case=case,
            channel=Channel(item.channel or case.channel),
            direction=Direction.INBOUND,
            kind=MessageKind.REQUEST,
            author=None,
            sender=item.sender,
            recipients=item.recipients,
            subject=(item.subject or case.subject)[:300],
            body=item.body,
            body_html=item.body_html,
            language=item.language or case.language,
            message_id=item.message_id,
            in_reply_to=item.in_reply_to,
            references=item.references,
            created_at=now,
            meta=item.meta or {},
        )
        messages.append(message)
        if case.status in _REOPENING and not (item.meta or {}).get("auto_submitted"):
            check_transition(case, Status.OPEN)
            previous = case.status
            case.status = Status.OPEN
            if previous == Status.CLOSED:
                case.closed_at = None
            if previous != Status.WAITING:
                events.append(
                    CaseEvent(
                        case=case,
                        type=Event.CASE_REOPENED.value,
                        at=now,
                        params={"previous": previous, "reason": "client wrote"},
                    )
                )
        events.append(
            CaseEvent(
                case=case,
                type=Event.MESSAGE_RECEIVED.value,
                message=message,
                at=now,
                params={"channel": message.channel},
            )
        )
    if new_cases:
        copy_insert(new_cases, with_pks=True)  # with their final version (the lock's bump)
    copy_insert(messages, with_pks=True)
    attachments = [
        row
        for item, message in zip(items, messages, strict=True)
        for row in attachment_rows(message, item.attachments)
    ]
    if attachments:
        copy_insert(attachments, with_pks=True)
    for pk in existing_ids:
        case = cases[pk]
        Case.objects.filter(pk=pk).update(
            version=case.version,
            updated_at=case.updated_at,
            status=case.status,
            closed_at=case.closed_at,
        )
    record_events_bulk(events)
    return messages


def case_set_next_due_many(dues: dict[int, datetime | None]) -> None:
    """:func:`case_set_next_due` for many cases (``{case_id: due}``): one ``UPDATE`` per distinct
    due moment.  Like it, called only by the SLA engine; no version bump, no event."""
    by_due: dict[datetime | None, list[int]] = {}
    for case_id, due in dues.items():
        by_due.setdefault(due, []).append(case_id)
    for due, ids in by_due.items():
        Case.objects.filter(pk__in=sorted(ids)).update(next_due_at=due)
