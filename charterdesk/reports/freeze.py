"""Closing a month freezes its figures; a recomputation is explicit, with a reason, and recorded.

A closed month keeps its cube of aggregate rows, the policy file's text and hash and the calendar
revision it was counted with: a later change of a target, a deadline or a holiday changes no
closed month.  ``period_recompute`` counts it again with today's policy and calendar and records
who did it, why, and the totals before and after.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from charterdesk.calendar.registry import current_revision
from charterdesk.reports.figures import CubeRow, Period, Scope, live_cube
from charterdesk.reports.models import ClosedPeriod, Recomputation
from charterdesk.standard import Policy, get_policy
from charterdesk.standard.policy import parse_policy


class PeriodError(ValueError):
    """A month that cannot be closed or recomputed; the message says why."""


@dataclass(frozen=True, slots=True)
class FrozenMonth:
    row: ClosedPeriod
    cube: list[CubeRow]
    policy: Policy


@lru_cache(maxsize=32)
def _parse(text: str, name: str) -> Policy:
    return parse_policy(text, Path(name))


def frozen_months(keys: Iterable[str]) -> dict[str, FrozenMonth]:
    rows = ClosedPeriod.objects.filter(month__in=list(keys))
    return {
        r.month: FrozenMonth(row=r, cube=list(r.cube), policy=_parse(r.policy_text, r.policy_name))
        for r in rows
    }


def _policy_source(policy: Policy) -> tuple[str, str]:
    text = Path(policy.path).read_text(encoding="utf-8")
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def _month(key: str) -> Period:
    try:
        period = Period.parse(key)
    except ValueError as exc:
        raise PeriodError(str(exc)) from None
    if not period.is_month:
        raise PeriodError(f"{key}: only a month can be closed")
    return period


def _totals(cube: list[CubeRow]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for r in cube:
        t = out.setdefault(r["c"], {"kept": 0, "explained": 0, "broken": 0, "applied": 0})
        t["kept"] += r["k"]
        t["explained"] += r["x"]
        t["broken"] += r["b"]
        t["applied"] += r["n"]
    return out


def period_close(*, month: str, by: Any = None, now: datetime | None = None) -> ClosedPeriod:
    """Close ``month`` (``YYYY-MM``): count it once more and freeze the result."""
    period = _month(month)
    now = now or timezone.now()
    if now < period.end:
        raise PeriodError(
            f"{month}: the month has not ended yet; it can be closed from {period.end:%Y-%m-%d}"
        )
    with transaction.atomic():
        if ClosedPeriod.objects.select_for_update().filter(month=period.key).exists():
            raise PeriodError(f"{month}: already closed; recompute it explicitly to change it")
        policy = get_policy()
        text, sha = _policy_source(policy)
        cube = live_cube(
            policy=policy, start=period.start, end=period.end, as_of=now, scope=Scope.everything()
        )
        return ClosedPeriod.objects.create(
            month=period.key,
            policy_text=text,
            policy_sha256=sha,
            policy_name=Path(policy.path).name,
            calendar_revision=current_revision(),
            cube=cube,
            closed_at=now,
            closed_by=by,
        )


def period_recompute(
    *, month: str, reason: str, by: Any = None, now: datetime | None = None
) -> Recomputation:
    """Count a closed month again with today's policy and calendar, recorded with ``reason``."""
    period = _month(month)
    if not reason.strip():
        raise PeriodError(f"{month}: a recomputation needs a reason")
    now = now or timezone.now()
    with transaction.atomic():
        row = ClosedPeriod.objects.select_for_update().filter(month=period.key).first()
        if row is None:
            raise PeriodError(f"{month}: not closed; an open month is always counted live")
        policy = get_policy()
        text, sha = _policy_source(policy)
        cube = live_cube(
            policy=policy, start=period.start, end=period.end, as_of=now, scope=Scope.everything()
        )
        record = Recomputation.objects.create(
            period=row,
            at=now,
            by=by,
            reason=reason.strip(),
            policy_sha256_before=row.policy_sha256,
            policy_sha256_after=sha,
            calendar_revision_before=row.calendar_revision,
            calendar_revision_after=current_revision(),
            totals_before=_totals(list(row.cube)),
            totals_after=_totals(cube),
        )
        row.policy_text, row.policy_sha256 = text, sha
        row.policy_name = Path(policy.path).name
        row.calendar_revision = current_revision()
        row.cube = cube
        row.recomputed_at = now
        row.save()
        return record
