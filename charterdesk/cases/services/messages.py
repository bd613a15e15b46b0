"""Messages on a case: what the client sent, what we answered, notes, promises and apologies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from charterdesk.cases import message_ids
from charterdesk.cases.errors import CaseError
from charterdesk.cases.models import Attachment, Case, Channel, Direction, Message, MessageKind
from charterdesk.cases.recording import new_event, record_event, record_events
from charterdesk.cases.services._attachments import AttachmentData, attachment_rows
from charterdesk.cases.services._common import lock, set_status
from charterdesk.cases.services.receive import InboundItem, case_receive_batch
from charterdesk.cases.status import Status
from charterdesk.directory.models import Employee
from charterdesk.standard.events import Event

# What an outbound message of each kind means for the standard's clocks.
_OUTBOUND_EVENTS: dict[str, Event] = {
    MessageKind.REPLY: Event.REPLY_SENT,
    MessageKind.ACK: Event.ACK_SENT,
    MessageKind.DELAY: Event.DELAY_EXPLAINED,
}


def case_add_message(
    *,
    case: Case,
    direction: str,
    kind: str,
    body: str,
    channel: str | None = None,
    subject: str = "",
    body_html: str = "",
    author: Employee | None = None,
    sender: str = "",
    recipients: str = "",
    language: str | None = None,
    message_id: str = "",
    in_reply_to: str = "",
    references: str = "",
    meta: dict[str, Any] | None = None,
    attachments: Sequence[AttachmentData] = (),
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Message:
    """Add a message and write its events.

    Inbound: ``message.received``; a client writing to a waiting, resolved or closed case brings it
    back to open.  Outbound: ``message.sent`` plus ``reply.sent`` / ``ack.sent`` /
    ``delay.explained`` by kind.  Internal: ``note.added``.  Listeners (the outbox) see the events in
    this transaction and may refuse the message, which rolls everything back."""
    direction = Direction(direction)
    kind = MessageKind(kind)
    if direction is Direction.OUTBOUND and kind in (MessageKind.REQUEST, MessageKind.NOTE):
        raise CaseError(f"An outbound message cannot be of kind '{kind.value}'.")
    if direction is Direction.INBOUND and author is not None:
        raise CaseError("A message from the client has no employee author.")
    if direction is Direction.INBOUND:
        # The road of every received message: the batch service, with one item.
        (received,) = case_receive_batch(
            [
                InboundItem(
                    case_id=case.pk,
                    expected_version=expected_version,
                    kind=kind,
                    body=body,
                    channel=channel,
                    subject=subject,
                    body_html=body_html,
                    sender=sender,
                    recipients=recipients,
                    language=language,
                    message_id=message_id,
                    in_reply_to=in_reply_to,
                    references=references,
                    meta=meta or {},
                    attachments=attachments,
                    at=at,
                )
            ]
        )
        return received
    with transaction.atomic():
        now = at or timezone.now()
        case = lock(case, expected_version, by=author)
        message = Message.objects.create(
            case=case,
            channel=Channel(channel or case.channel),
            direction=direction,
            kind=kind,
            author=author,
            sender=sender,
            recipients=recipients,
            subject=(subject or case.subject)[:300],
            body=body,
            body_html=body_html,
            language=language or case.language,
            message_id=message_id,
            in_reply_to=in_reply_to,
            references=references,
            created_at=now,
            meta=meta or {},
        )
        if attachments:
            Attachment.objects.bulk_create(attachment_rows(message, attachments))
        if direction is Direction.INTERNAL:
            record_event(case=case, type=Event.NOTE_ADDED, actor=author, message=message, at=now)
        else:
            if case.status == Status.NEW:
                set_status(case, Status.OPEN, by=author, at=now, event=False)
            sent = [
                new_event(
                    case=case,
                    type=Event.MESSAGE_SENT,
                    actor=author,
                    message=message,
                    at=now,
                    channel=message.channel,
                    kind=kind.value,
                )
            ]
            if kind in _OUTBOUND_EVENTS:
                sent.append(
                    new_event(
                        case=case,
                        type=_OUTBOUND_EVENTS[kind],
                        actor=author,
                        message=message,
                        at=now,
                    )
                )
            record_events(sent)
        return message


def case_reply(
    *,
    case: Case,
    by: Employee,
    body: str,
    body_html: str = "",
    channel: str | None = None,
    attachments: Sequence[AttachmentData] = (),
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Message:
    """An employee's answer to the client (the identity block is appended by the outbox)."""
    if not body.strip():
        raise CaseError(_("The reply on case %(ref)s is empty.") % {"ref": case.reference})
    return case_add_message(
        case=case,
        direction=Direction.OUTBOUND,
        kind=MessageKind.REPLY,
        body=body,
        body_html=body_html,
        channel=channel,
        author=by,
        attachments=attachments,
        expected_version=expected_version,
        at=at,
    )


def case_explain_delay(
    *,
    case: Case,
    by: Employee | None,
    body: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Message:
    """Tell the client why the one-working-day answer cannot be given [EMAIL-REPLY-1BD]."""
    if not body.strip():
        raise CaseError(
            _("The delay explanation on case %(ref)s needs the reasons.") % {"ref": case.reference}
        )
    return case_add_message(
        case=case,
        direction=Direction.OUTBOUND,
        kind=MessageKind.DELAY,
        body=body,
        author=by,
        expected_version=expected_version,
        at=at,
    )


def case_add_note(
    *, case: Case, by: Employee, body: str, expected_version: int | None = None
) -> Message:
    if not body.strip():
        raise CaseError(_("An internal note cannot be empty."))
    return case_add_message(
        case=case,
        direction=Direction.INTERNAL,
        kind=MessageKind.NOTE,
        body=body,
        author=by,
        expected_version=expected_version,
    )


def states_date(message: str, due: datetime) -> bool:
    """Whether ``message`` names the date of ``due`` (local time) in a form the client reads:
    25.11.2026, 5.11.2026, 5 Nov 2026 or 2026-11-25 [TIME-ESTIMATE]."""
    local = timezone.localtime(due)
    forms_of_date = {
        local.strftime("%d.%m.%Y"),
        local.strftime("%-d.%m.%Y"),
        local.strftime("%-d %b %Y"),
        local.strftime("%Y-%m-%d"),
    }
    return any(f in message for f in forms_of_date)


@transaction.atomic
def case_promise(
    *,
    case: Case,
    by: Employee,
    due: datetime,
    message: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Case:
    """Promise the client an answer by ``due`` [TIME-ESTIMATE]; the message tells the client and
    must state the promised date (:func:`states_date`), whoever calls: the desk, the API, the
    portal.

    Promising again moves the date (``estimate.moved``): the standard allows that only with a
    message to the client, which is why ``message`` is required both times."""
    now = at or timezone.now()
    if timezone.is_naive(due):
        raise CaseError(_("The promised time must carry a time zone."))
    if due <= now:
        raise CaseError(
            _("The promised time %(due)s is not in the future.")
            % {"due": timezone.localtime(due).strftime("%d.%m.%Y %H:%M")}
        )
    if not message.strip():
        raise CaseError(_("Tell the client the date: the message to the client is required."))
    if not states_date(message, due):
        raise CaseError(
            _("The message must tell the client the promised date (%(date)s).")
            % {"date": timezone.localtime(due).strftime("%d.%m.%Y")},
            field="message",
        )
    locked = lock(case, expected_version, by=by)
    if Status(locked.status) not in (Status.NEW, Status.OPEN, Status.WAITING):
        raise CaseError(
            _("Case %(ref)s is %(status)s; nothing to promise.")
            % {"ref": locked.reference, "status": locked.get_status_display()}
        )
    previous = locked.promised_by
    locked.promised_by = due
    locked.save(update_fields=["promised_by"])
    sent = case_add_message(
        case=locked,
        direction=Direction.OUTBOUND,
        kind=MessageKind.ESTIMATE,
        body=message,
        author=by,
        at=now,
    )
    event = Event.ESTIMATE_MOVED if previous else Event.ESTIMATE_PROMISED
    record_event(
        case=locked,
        type=event,
        actor=by,
        message=sent,
        at=now,
        due=due.isoformat(),
        previous=previous.isoformat() if previous else None,
    )
    locked.refresh_from_db()
    return locked


@transaction.atomic
def case_record_mistake(
    *,
    case: Case,
    by: Employee,
    description: str,
    apology: str,
    correction: str = "",
    expected_version: int | None = None,
) -> Message:
    """Record a mistake and send the client the apology and correction [MISTAKE-APOLOGY]."""
    if not description.strip():
        raise CaseError(_("Describe the mistake."))
    if not apology.strip():
        raise CaseError(_("The apology to the client is required."))
    locked = lock(case, expected_version, by=by)
    sent = case_add_message(
        case=locked,
        direction=Direction.OUTBOUND,
        kind=MessageKind.APOLOGY,
        body=apology.strip() + ("\n\n" + correction.strip() if correction.strip() else ""),
        author=by,
    )
    record_event(
        case=locked,
        type=Event.MISTAKE_RECORDED,
        actor=by,
        message=sent,
        description=description.strip(),
        correction=correction.strip(),
    )
    return sent


def case_set_mail_headers(
    *,
    message: Message,
    message_id: str,
    sender: str,
    recipients: str,
    in_reply_to: str = "",
    references: str = "",
) -> None:
    """Record on an outbound case message the mail headers the outbox fixed when it queued it,
    so a client's answer (In-Reply-To) and a bounce find the case by ``Message.message_id``.

    Delivery detail, not a change of the case: no version bump, no event.  A Message-ID once set
    is never replaced by another one."""
    if message.direction != Direction.OUTBOUND:
        raise CaseError("Mail headers are set only on messages to the client.")
    current = Message.objects.filter(pk=message.pk).values_list("message_id", flat=True).get()
    if current and message_ids.bare(current) != message_ids.bare(message_id):
        raise CaseError(
            f"Message {message.pk} already has Message-ID {current}; refusing to replace it with {message_id}."
        )
    Message.objects.filter(pk=message.pk).update(
        message_id=message_id[:300],
        sender=sender[:300],
        recipients=recipients,
        in_reply_to=in_reply_to[:300],
        references=references,
    )
    message.message_id, message.sender, message.recipients = (
        message_id[:300],
        sender[:300],
        recipients,
    )
    message.in_reply_to, message.references = in_reply_to[:300], references


def _record_undelivered(event: Event, message: Message, reason: str, at: datetime | None) -> None:
    record_event(
        case=message.case,
        type=event,
        message=message,
        at=at,
        reason=(reason or "").strip()[:2000],
    )


@transaction.atomic
def case_record_bounce(*, message: Message, reason: str, at: datetime | None = None) -> None:
    """A message to the client came back undelivered: the case timeline shows it, with the reason,
    so the employee can reach the client another way.  Not a change by anyone: no version bump."""
    _record_undelivered(Event.MESSAGE_BOUNCED, message, reason, at)


@transaction.atomic
def case_record_send_failure(*, message: Message, reason: str, at: datetime | None = None) -> None:
    """A message to the client could not be sent at all (the mail server refused it, or every
    attempt failed): shown like a bounce (:func:`case_record_bounce`)."""
    _record_undelivered(Event.MESSAGE_NOT_SENT, message, reason, at)
