"""Server-side drafts of the composer: saved as one types, restored, deleted when sent.

One draft per (employee, case, kind) — a unique constraint; saving again overwrites it, saving
an empty text deletes it.  Only someone who may see the case has a draft of it (the view fetches
the case through ``case_detail(pk, who=...)``); nobody reads another employee's draft."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from charterdesk.cases.models import Case
from charterdesk.desk.models import Draft, DraftKind
from charterdesk.directory.models import Employee

MAX_LENGTH = 50000


def draft_get(*, employee: Employee, case: Case, kind: str = DraftKind.REPLY) -> Draft | None:
    return Draft.objects.filter(employee=employee, case=case, kind=kind).first()


@transaction.atomic
def draft_save(
    *,
    employee: Employee,
    case: Case,
    body: str,
    kind: str = DraftKind.REPLY,
    now: datetime | None = None,
) -> Draft | None:
    """Keep ``body`` as the employee's draft of ``kind`` on ``case`` (an empty text deletes it)."""
    kind = DraftKind(kind)
    text = (body or "")[:MAX_LENGTH]
    if not text.strip():
        draft_discard(employee=employee, case=case, kind=kind)
        return None
    draft, _created = Draft.objects.update_or_create(
        employee=employee,
        case=case,
        kind=kind,
        defaults={"body": text, "updated_at": now or timezone.now()},
    )
    return draft


def draft_discard(*, employee: Employee, case: Case, kind: str = DraftKind.REPLY) -> int:
    """Delete the draft (the reply was sent, or the text emptied); returns how many rows went."""
    deleted, _ = Draft.objects.filter(employee=employee, case=case, kind=kind).delete()
    return deleted
