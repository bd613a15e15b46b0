"""Opening cases and taking in client messages: one road for one or ten thousand.

:func:`cases_open` opens cases (``case_open`` is it with one item) and :func:`case_receive_batch`
takes in client messages, opening the cases of those that name none (``case_add_message`` for a
received message is it with one item).  So the rows and events of one message are written by
exactly the code that writes a batch of them, with a handful of statements whatever the size:
one counter update per year reserves the new references; cases, messages, attachments and events
are inserted together (``core.bulk.copy_insert``); the route's listeners hear the events once, as
a list (:func:`charterdesk.cases.recording.record_events`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.timezone import localtime

from charterdesk.cases.automatic import is_automatic
from charterdesk.cases.errors import CaseError, ConcurrentChange
from charterdesk.cases.models import Case, CaseEvent, Channel, Direction, Message, MessageKind
from charterdesk.cases.recording import new_event, record_events
from charterdesk.cases.references import reserve_references
from charterdesk.cases.services._attachments import AttachmentData, attachment_rows
from charterdesk.cases.services._common import status_moved
from charterdesk.cases.status import Status
from charterdesk.clients.models import Client
from charterdesk.core.bulk import copy_insert
from charterdesk.directory.models import Employee, Office, Programme, Team
from charterdesk.standard.events import Event

_REOPENING = (Status.WAITING, Status.RESOLVED, Status.CLOSED)


@dataclass(frozen=True, slots=True)
class NewCase:
    """A case to open, with the arguments of ``case_open``."""

    client: Client
    channel: str
    subject: str
    programme: Programme | None = None
    office: Office | None = None
    team: Team | None = None
    assignee: Employee | None = None
    language: str | None = None
    by: Employee | None = None
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class InboundItem:
    """One message from a client: on the existing case ``case_id``, on the case of an earlier item
    of the same batch (``same_case_as``: its index), or opening a new case for ``client`` (with
    ``channel``, ``subject``, ``programme``, ``language`` as ``case_open`` takes them).  The
    message fields are those of ``case_add_message``; ``expected_version`` (with ``case_id``)
    refuses the item if the case changed meanwhile, as the services do."""

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
    expected_version: int | None = None
    kind: str = MessageKind.REQUEST


def _build_cases(specs: Sequence[NewCase], wall: datetime) -> list[tuple[Case, list[CaseEvent]]]:
    """The (unsaved) cases ``specs`` open, each with its opening events; references reserved."""
    moments = [spec.at or wall for spec in specs]
    references = reserve_references([localtime(at).year for at in moments])
    out: list[tuple[Case, list[CaseEvent]]] = []
    for spec, at, reference in zip(specs, moments, references, strict=True):
        channel = Channel(spec.channel)
        subject = (spec.subject or "").strip()[:300]
        case = Case(
            reference=reference,
            subject=subject or "—",
            client=spec.client,
            programme=spec.programme,
            office=spec.office,
            team=spec.team or (spec.assignee.team if spec.assignee else None),
            assignee=spec.assignee,
            channel=channel,
            status=Status.OPEN if spec.assignee else Status.NEW,
            language=spec.language or spec.client.language,
            created_at=at,
            updated_at=at,
            version=1,
        )
        events = [
            new_event(
                case=case, type=Event.CASE_OPENED, actor=spec.by, at=at, channel=channel.value
            )
        ]
        if spec.assignee:
            events.append(
                new_event(
                    case=case,
                    type=Event.CASE_ASSIGNED,
                    actor=spec.by,
                    at=at,
                    to=spec.assignee.pk,
                    to_name=spec.assignee.full_name,
                )
            )
        out.append((case, events))
    return out


@transaction.atomic
def cases_open(specs: Sequence[NewCase]) -> list[Case]:
    """Open a case per spec, in order, each with a fresh reference and its ``case.opened`` (and
    ``case.assigned`` with an assignee).  The first message is added separately, so every channel
    opens cases the same way."""
    if not specs:
        return []
    built = _build_cases(specs, timezone.now())
    cases = [case for case, _events in built]
    copy_insert(cases, with_pks=True)
    record_events([event for _case, events in built for event in events])
    return cases


def _lock(items: Sequence[InboundItem]) -> dict[int, Case]:
    """The existing cases of ``items``, locked in id order (no deadlock between two batches)."""
    ids = sorted({item.case_id for item in items if item.case_id is not None})
    cases = {
        case.pk: case for case in Case.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    missing = set(ids) - set(cases)
    if missing:
        raise CaseError(f"No case with id {', '.join(str(pk) for pk in sorted(missing))}.")
    for item in items:
        if item.case_id is not None and item.expected_version is not None:
            case = cases[item.case_id]
            if case.version != item.expected_version:
                raise ConcurrentChange(case.reference, item.expected_version, case.version)
    return cases


@transaction.atomic
def case_receive_batch(items: Sequence[InboundItem]) -> list[Message]:
    """Take in ``items`` in order, atomically; returns their messages (in the same order).

    Per item: ``case.opened`` for an item that names no case, then the message and
    ``message.received``; a client message brings a waiting, resolved or closed case back to
    open (``case.reopened`` unless it was waiting), unless it is automatic mail
    (``cases.automatic``)."""
    if not items:
        return []
    wall = timezone.now()
    moments = [item.at or wall for item in items]
    cases = _lock(items)
    for i, item in enumerate(items):
        if item.same_case_as is not None and not 0 <= item.same_case_as < i:
            raise CaseError(f"Item {i} names item {item.same_case_as}, which is not before it.")
        if item.case_id is None and item.same_case_as is None:
            if item.client is None:
                raise CaseError(f"Item {i} opens a case but names no client.")
            if item.channel is None:
                raise CaseError(f"Item {i} opens a case but names no channel.")
    opening = [
        i for i, item in enumerate(items) if item.case_id is None and item.same_case_as is None
    ]
    built = _build_cases(
        [
            NewCase(
                client=items[i].client,  # type: ignore[arg-type]  # checked above
                channel=str(items[i].channel),
                subject=items[i].subject,
                programme=items[i].programme,
                language=items[i].language,
                at=moments[i],
            )
            for i in opening
        ],
        wall,
    )
    opened_by = dict(zip(opening, built, strict=True))
    case_of: list[Case] = []
    for i, item in enumerate(items):
        if item.same_case_as is not None:
            case_of.append(case_of[item.same_case_as])
        elif item.case_id is None:
            case_of.append(opened_by[i][0])
        else:
            case_of.append(cases[item.case_id])
    # --- the messages, status changes and events, item by item
    messages: list[Message] = []
    events: list[CaseEvent] = []
    for i, item in enumerate(items):
        case = case_of[i]
        now = moments[i]
        if i in opened_by:
            events.extend(opened_by[i][1])
        case.version += 1  # the case changed (the services' lock)
        case.updated_at = timezone.now()
        message = Message(
            case=case,
            channel=Channel(item.channel or case.channel),
            direction=Direction.INBOUND,
            kind=MessageKind(item.kind),
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
        if case.status in _REOPENING and not is_automatic(message):
            # (no event from waiting: the client's answer is the awaited one)
            events.extend(
                status_moved(case, Status.OPEN, by=None, at=now, reason="client wrote")[1]
            )
        events.append(
            new_event(
                case=case,
                type=Event.MESSAGE_RECEIVED,
                message=message,
                at=now,
                channel=message.channel,
            )
        )
    if built:
        copy_insert([case for case, _e in built], with_pks=True)  # with their final version
    copy_insert(messages, with_pks=True)
    attachments = [
        row
        for item, message in zip(items, messages, strict=True)
        for row in attachment_rows(message, item.attachments)
    ]
    if attachments:
        copy_insert(attachments, with_pks=True)
    for pk, case in cases.items():
        Case.objects.filter(pk=pk).update(
            version=case.version,
            updated_at=case.updated_at,
            status=case.status,
            closed_at=case.closed_at,
        )
    record_events(events)
    return messages


def case_set_next_due_many(dues: dict[int, datetime | None]) -> None:
    """Store the earliest due moment of each case's open timers (``{case_id: due}``, the inbox
    sorts by it): one ``UPDATE`` per distinct moment.  Called only by the SLA engine when timers
    change; not a change of the case itself, so no version bump and no event (the timers' own
    events say what happened)."""
    by_due: dict[datetime | None, list[int]] = {}
    for case_id, due in dues.items():
        by_due.setdefault(due, []).append(case_id)
    for due, ids in by_due.items():
        Case.objects.filter(pk__in=sorted(ids)).update(next_due_at=due)
