"""The post channel's contact with case changes: a letter to the client is fixed on ``message.sent``."""

from __future__ import annotations

from charterdesk.cases.models import CaseEvent, Channel, Direction
from charterdesk.channels.post.services import letter_write
from charterdesk.standard.events import Event


def on_case_events(events: list[CaseEvent]) -> None:
    """Step 3 of the route (``assembly/route.py``): a letter to the client is fixed (text, identity
    block, address) in the case change's transaction, as the outbox fixes an e-mail; a letter that
    cannot be complete is refused and rolls the change back."""
    for event in events:
        if event.type != Event.MESSAGE_SENT or event.message_id is None:
            continue
        message = event.message
        if (
            message is None
            or message.direction != Direction.OUTBOUND
            or message.channel != Channel.POST
        ):
            continue
        letter_write(message=message, at=event.at)
