"""The outbox's only contact with case changes: the route's outbox step, on ``message.sent``.

It runs inside the case service's transaction; an error it raises (no identity block, no
address) rolls the whole case change back [EMAIL-IDENTITY].
"""

from __future__ import annotations

from charterdesk.cases.models import CaseEvent, Channel, Direction
from charterdesk.outbox.services.write import outbox_write
from charterdesk.standard.events import Event


def on_case_events(events: list[CaseEvent]) -> None:
    """Write the outbound mail of every e-mail message to the client among ``events``."""
    for event in events:
        if event.type != Event.MESSAGE_SENT or event.message_id is None:
            continue
        message = event.message
        if (
            message is None
            or message.direction != Direction.OUTBOUND
            or message.channel != Channel.EMAIL
        ):
            continue
        outbox_write(message=message, at=event.at)
