"""When an employee last looked at a case ("new since you last looked" in the inbox)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from charterdesk.cases.models import Case
from charterdesk.desk.models import CaseSeen
from charterdesk.directory.models import Employee


def case_seen(*, employee: Employee, cases: Iterable[Case], at: datetime | None = None) -> None:
    """Record that ``employee`` looked at ``cases`` now (the case page; the cases they changed
    themselves in a bulk action).  One upsert, whatever the number of cases."""
    moment = at or timezone.now()
    rows = [CaseSeen(employee=employee, case_id=c.pk, seen_at=moment) for c in cases]
    if rows:
        CaseSeen.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["employee", "case"],
            update_fields=["seen_at"],
        )
