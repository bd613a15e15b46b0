"""The post channel's contact with case changes: a letter to the client is fixed on ``message.sent``."""

from __future__ import annotations

from charterdesk.cases.models import CaseEvent, Channel, Direction
from charterdesk.channels.post.services import letter_write
from charterdesk.standard.events import Event


def on_case_event(event: CaseEvent) -> None:
    if event.type != Event.MESSAGE_SENT or event.message_id is None:
        return
    message = event.message
    if (
        message is None
        or message.direction != Direction.OUTBOUND
        or message.channel != Channel.POST
    ):
        return
    letter_write(message=message, at=event.at)
