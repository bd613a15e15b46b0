"""The owed acknowledgement [EMAIL-ACK]: from the SLA engine to the outbox.

Registered by the route (``route.install``) with ``charterdesk.sla.hooks.register_ack_sender``;
the engine calls it inside the transaction that records the hand-over on the timer, so an error
here rolls the hand-over back and the next sweep tries again.  The answer moment promised in the
acknowledgement is the due moment of the message's ``[EMAIL-REPLY-1BD]`` timer (read here, so the
outbox needs nothing of the SLA engine).
"""

from __future__ import annotations

import logging

from charterdesk.cases.models import Case, Direction, Message
from charterdesk.outbox.services import ack_send
from charterdesk.sla.selectors import expected_answer_by

logger = logging.getLogger(__name__)


def ack_owed(*, timer_id: int, case_id: int, message_id: int | None) -> None:
    """Acknowledge the client's message ``message_id`` (the timer's message; without one, the
    client's latest message on the case)."""
    case = Case.objects.get(pk=case_id)
    message = None
    if message_id is not None:
        message = Message.objects.filter(pk=message_id, case=case).first()
    if message is None:
        message = (
            Message.objects.filter(case=case, direction=Direction.INBOUND)
            .order_by("-created_at", "-id")
            .first()
        )
    if message is None:
        logger.warning(
            "EMAIL-ACK timer %s on %s has no client message to acknowledge",
            timer_id,
            case.reference,
        )
        return
    ack_send(case=case, message=message, expected_answer_by=expected_answer_by(case, message))
