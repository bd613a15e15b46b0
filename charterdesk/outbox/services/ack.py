"""The automatic acknowledgement of a client's e-mail [EMAIL-ACK].

The SLA engine decides *when* an acknowledgement is owed (the answer will not come on the day the
mail arrived) and hands it over (``charterdesk.assembly.acknowledgement``) to :func:`ack_send`.
This module decides *whether* one may go: never to automatic mail
(``charterdesk.cases.automatic``), never to anything but the client's e-mail,
never when the client has been written to since (an answer, a decline, a referral …) or the case
is no longer active, and never twice for one message — checked first, and guaranteed by a unique
constraint on the outbox row (inbound message, kind ack), which also settles two senders racing.

The text comes from the ``ack`` template in the case's language with the case reference and when
the answer can be expected [TIME-ESTIMATE]; the message goes through ``case_add_message``, so it
writes ``ack.sent`` (which stops the acknowledgement clock) and the outbox listener queues the mail
with ``Auto-Submitted: auto-replied``.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from charterdesk.cases.automatic import automatic_reason
from charterdesk.cases.models import Case, CaseEvent, Channel, Direction, Message, MessageKind
from charterdesk.cases.services import case_add_message
from charterdesk.cases.status import ACTIVE
from charterdesk.outbox.identity import block_language
from charterdesk.outbox.models import OutboxMessage
from charterdesk.outbox.services.templates import template_render
from charterdesk.outbox.services.write import sender_verified
from charterdesk.standard.events import Event

logger = logging.getLogger(__name__)


def already_acknowledged(message: Message) -> bool:
    return OutboxMessage.objects.filter(answers=message, kind=MessageKind.ACK).exists() or (
        Message.objects.filter(
            case_id=message.case_id,
            direction=Direction.OUTBOUND,
            kind=MessageKind.ACK,
            meta__acknowledges=message.pk,
        ).exists()
    )


def covered_by_earlier_ack(message: Message) -> Message | None:
    """The acknowledgement that already covers the client's follow-up ``message``, if any.

    The rule (docs/email-outbound.md, "One acknowledgement per matter"): a client's e-mail is
    owed its own acknowledgement unless the last thing we sent on the case before it was an
    acknowledgement and the case has not been reopened since.  So the follow-ups a client sends
    while waiting for the answer ("I forgot the attachment", "any news?") get no second
    acknowledgement; a question written after our answer, or to a reopened case, does."""
    previous = (
        Message.objects.filter(
            case_id=message.case_id,
            direction=Direction.OUTBOUND,
            created_at__lte=message.created_at,
        )
        .exclude(pk=message.pk)
        .order_by("-created_at", "-id")
        .first()
    )
    if previous is None or previous.kind != MessageKind.ACK:
        return None
    reopened = CaseEvent.objects.filter(
        case_id=message.case_id,
        type=Event.CASE_REOPENED,
        at__gte=previous.created_at,
        at__lte=message.created_at,
    ).exists()
    return None if reopened else previous


def ack_refusal(message: Message) -> str:
    """Why no acknowledgement may be sent for ``message`` ('' if one may)."""
    if message.direction != Direction.INBOUND:
        return "not a message from the client"
    if message.channel != Channel.EMAIL:
        return "not an e-mail"
    automatic = automatic_reason(message)
    if automatic:
        return f"automatic mail ({automatic})"
    if already_acknowledged(message):
        return "already acknowledged"
    covering = covered_by_earlier_ack(message)
    if covering is not None:
        return f"a follow-up on the same matter: acknowledgement {covering.pk} covers it"
    case = Case.objects.select_related("client").get(pk=message.case_id)  # fresh: status changes
    if case.status not in ACTIVE:
        return f"the case is {case.status}"
    if not (case.client.email or "").strip():
        return "the client has no e-mail address"
    answered = Message.objects.filter(
        case_id=message.case_id, direction=Direction.OUTBOUND, created_at__gte=message.created_at
    ).exclude(pk=message.pk)
    if answered.exists():
        return "the client has already been written to since"
    return ""


def ack_send(
    *,
    message: Message,
    case: Case | None = None,
    expected_answer_by: datetime | None = None,
    at: datetime | None = None,
) -> Message | None:
    """Acknowledge the client's e-mail ``message``; returns the ack, or ``None`` when none may be
    sent (automatic mail, already acknowledged, not an inbound e-mail — logged with the reason).

    ``expected_answer_by``: when the client can expect the answer (the route's hand-over,
    ``assembly.acknowledgement``, gives the due moment of the message's EMAIL-REPLY-1BD timer);
    without it the acknowledgement names no moment."""
    case = case or message.case
    refusal = ack_refusal(message)
    if refusal:
        logger.info(
            "no acknowledgement for message %s on %s: %s", message.pk, case.reference, refusal
        )
        return None
    case = Case.objects.select_related("client", "programme").get(pk=case.pk)
    language = block_language(case.language)
    when = expected_answer_by
    if when is not None and when <= (at or timezone.now()):
        # Owed long ago (a worker was down): never promise a moment that has passed.
        when = None
    rendered = template_render(
        kind=MessageKind.ACK,
        case=case,
        language=language,
        expected_answer_by=when,
        received_at=message.created_at,
        unverified=not sender_verified(message),  # no echo of what the sender wrote
    )
    try:
        with transaction.atomic():
            return case_add_message(
                case=case,
                direction=Direction.OUTBOUND,
                kind=MessageKind.ACK,
                body=rendered.body,
                subject=rendered.subject,  # the ack's own subject (see ``thread_subject``)
                channel=Channel.EMAIL,
                language=language,
                at=at,
                meta={
                    "acknowledges": message.pk,
                    "template": rendered.template_name,
                    "expected_answer_by": when.isoformat() if when else None,
                },
            )
    except IntegrityError:
        # Another sender acknowledged it meanwhile: the unique constraint kept it to one.
        if already_acknowledged(message):
            logger.info(
                "message %s on %s was acknowledged concurrently", message.pk, case.reference
            )
            return None
        raise
