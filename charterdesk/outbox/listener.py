"""The outbox's only contact with case changes: a listener on ``message.sent``.

Registered in ``OutboxConfig.ready``.  It runs inside the case service's transaction; an error it
raises (no identity block, no address) rolls the whole case change back [EMAIL-IDENTITY].
"""

from __future__ import annotations

from charterdesk.cases.models import CaseEvent, Channel, Direction
from charterdesk.outbox.services.compose import outbox_write
from charterdesk.standard.events import Event


def on_case_event(event: CaseEvent) -> None:
    if event.type != Event.MESSAGE_SENT or event.message_id is None:
        return
    message = event.message
    if (
        message is None
        or message.direction != Direction.OUTBOUND
        or message.channel != Channel.EMAIL
    ):
        return
    outbox_write(message=message, at=event.at)
