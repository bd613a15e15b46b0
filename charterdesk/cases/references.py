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


def reserve_references(years: list[int], prefix: str | None = None) -> list[str]:
    """References for new cases opened in ``years`` (one per entry, in order): one counter update
    per year reserves the whole range (``last = last + n``) under the counter's row lock."""
    prefix = prefix or settings.CHARTERDESK_CASE_PREFIX
    if not years:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("references are reserved inside the opening transaction")
    wanted: dict[int, int] = {}
    for year in years:
        wanted[year] = wanted.get(year, 0) + 1
    ReferenceCounter.objects.bulk_create(
        [ReferenceCounter(prefix=prefix, year=year, last=0) for year in sorted(wanted)],
        ignore_conflicts=True,
    )
    following: dict[int, int] = {}
    for year in sorted(wanted):  # always the same order: no deadlock between two openings
        counter = ReferenceCounter.objects.filter(prefix=prefix, year=year)
        counter.update(last=F("last") + wanted[year])
        last = counter.values_list("last", flat=True).get()
        following[year] = last - wanted[year] + 1
    out: list[str] = []
    for year in years:
        out.append(f"{prefix}-{year}-{following[year]:06d}")
        following[year] += 1
    return out
