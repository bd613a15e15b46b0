"""Human case references: ``ALT-2026-000123``.

The number comes from a counter row per prefix and year, incremented with a row lock inside the
opening transaction, so two openings at once never get the same number.  A rolled-back opening
may leave a gap; references are unique, not gap-free.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F

from charterdesk.cases.models import ReferenceCounter


def next_reference(year: int, prefix: str | None = None) -> str:
    prefix = prefix or settings.CHARTERDESK_CASE_PREFIX
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_reference must run inside the opening transaction")
    ReferenceCounter.objects.bulk_create(
        [ReferenceCounter(prefix=prefix, year=year, last=0)], ignore_conflicts=True
    )
    ReferenceCounter.objects.filter(prefix=prefix, year=year).update(last=F("last") + 1)
    number = ReferenceCounter.objects.values_list("last", flat=True).get(prefix=prefix, year=year)
    return f"{prefix}-{year}-{number:06d}"
