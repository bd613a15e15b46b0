"""Bounces: a delivery status notification that names one of our messages."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from charterdesk.cases.message_ids import angled
from charterdesk.cases.services import case_record_bounce
from charterdesk.outbox.models import OutboxMessage, OutboxState

logger = logging.getLogger(__name__)


@transaction.atomic
def outbox_mark_bounced(
    *, message_id: str, reason: str, at: datetime | None = None
) -> OutboxMessage | None:
    """Mark the outbound mail with ``message_id`` as bounced with the DSN's ``reason``.

    For e-mail intake's DSN handling.  Returns the row, or ``None`` if the Message-ID is not one of
    ours (a DSN for someone else's mail).  A second bounce for the same mail keeps the first."""
    wanted = angled(message_id)
    if not wanted:
        return None
    row = OutboxMessage.objects.select_for_update().filter(message_id=wanted).first()
    if row is None:
        logger.info("bounce for unknown Message-ID %s", wanted)
        return None
    if row.state == OutboxState.BOUNCED:
        return row
    row.state = OutboxState.BOUNCED
    row.bounced_at = at or timezone.now()
    row.bounce_reason = (reason or "").strip()[:4000] or "(no reason given)"
    row.save(update_fields=["state", "bounced_at", "bounce_reason"])
    if row.case_message is None:
        return row  # a notice to an employee: nothing for the case timeline
    # The case timeline shows the bounce, so the employee reaches the client another way.
    case_record_bounce(message=row.case_message, reason=row.bounce_reason, at=row.bounced_at)
    return row
