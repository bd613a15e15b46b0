"""Links between cases (a message on one names the other)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from charterdesk.cases.models import Case, CaseLink, LinkKind, Message


@transaction.atomic
def case_link(
    *,
    case: Case,
    other: Case,
    kind: LinkKind = LinkKind.MENTIONS,
    message: Message | None = None,
    at: datetime | None = None,
) -> CaseLink:
    """Link ``case`` to ``other`` (once per message); changes neither case's status."""
    if case.pk == other.pk:
        raise ValueError(f"case {case.reference} cannot be linked to itself")
    link, _created = CaseLink.objects.get_or_create(
        case=case,
        other=other,
        kind=kind,
        message=message,
        defaults={"created_at": at or timezone.now()},
    )
    return link
