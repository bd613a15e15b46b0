"""A message that names cases it was not added to: its case is linked to them ("mentions").

See ``linking`` (no case hijack by subject).  The link is on both cases' pages; the named case's
status, timers and client are not touched, and nothing is sent to its client."""

from __future__ import annotations

from charterdesk.cases.models import Case, LinkKind, Message
from charterdesk.cases.services.links import case_link


def link_mentions(case: Case, message: Message, mentioned: list[Case]) -> None:
    for other in mentioned:
        if other.pk != case.pk:
            case_link(
                case=case,
                other=other,
                kind=LinkKind.MENTIONS,
                message=message,
                at=message.created_at,
            )
