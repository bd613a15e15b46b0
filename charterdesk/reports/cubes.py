"""Stored cubes of finished days (``DayCube``): counted once by SQL aggregates, read by the report.

``cubes_build`` counts every finished day that has no cube with the current policy file yet
(``charterdesk reports cubes``, e.g. nightly; ``--rebuild`` counts them all again).  A day is
finished when it has ended in Europe/Riga; today is always counted live.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from charterdesk.reports.figures import RIGA, CubeRow, Scope, live_cube
from charterdesk.reports.models import DayCube, MonthCube
from charterdesk.sla.models import Timer
from charterdesk.standard import Policy, get_policy


@lru_cache(maxsize=8)
def _sha_of(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def policy_sha256(policy: Policy) -> str:
    path = Path(policy.path)
    try:
        return _sha_of(str(path), path.stat().st_mtime)
    except OSError:
        return ""


def day_cubes(days: Iterable[date], sha: str) -> dict[date, list[CubeRow]]:
    days = list(days)
    if not days:
        return {}
    rows = DayCube.objects.filter(
        day__gte=min(days), day__lte=max(days), policy_sha256=sha
    ).values_list("day", "cube")
    wanted = set(days)
    return {d: cube for d, cube in rows if d in wanted}


def month_cubes(keys: Iterable[str], sha: str) -> dict[str, list[CubeRow]]:
    rows = MonthCube.objects.filter(month__in=list(keys), policy_sha256=sha)
    return {r.month: r.cube for r in rows}


_COUNTS = ("k", "x", "b", "n", "a", "s")


def merge(rows: Iterable[CubeRow]) -> list[CubeRow]:
    """Rows with the same key (month, commitment, channel, office, programme, employee, team)
    added up into one."""
    merged: dict[tuple[str, ...], CubeRow] = {}
    for r in rows:
        key = (r["m"], r["c"], r["ch"], r["o"], r["p"], r["e"], r["t"])
        have = merged.get(key)
        if have is None:
            merged[key] = dict(r)
            continue
        for c in _COUNTS:
            if c in r:
                have[c] = have.get(c, 0) + r[c]
    return list(merged.values())


def _start(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=RIGA)


def cubes_build(
    *, since: date | None = None, rebuild: bool = False, now: datetime | None = None
) -> int:
    """Count the finished days from ``since`` (default: the day the first timer started: no
    timer is due or stopped before it) that have no cube with the current policy; each day in
    its own transaction.  Returns how many."""
    now = now or timezone.now()
    policy = get_policy()
    sha = policy_sha256(policy)
    if since is None:
        first = Timer.objects.order_by("started_at").values_list("started_at", flat=True).first()
        if first is None:
            return 0
        since = timezone.localtime(first, RIGA).date()
    today = timezone.localtime(now, RIGA).date()
    have = set(
        DayCube.objects.filter(day__gte=since, policy_sha256=sha).values_list("day", flat=True)
    )
    built = 0
    d = since
    while d < today:
        if rebuild or d not in have:
            cube = live_cube(
                policy=policy,
                start=_start(d),
                end=_start(d + timedelta(days=1)),
                as_of=now,
                scope=Scope.everything(),
            )
            with transaction.atomic():
                DayCube.objects.update_or_create(
                    day=d, defaults={"cube": cube, "policy_sha256": sha, "computed_at": now}
                )
            built += 1
        d += timedelta(days=1)
    _build_months(since, today, sha, now)
    return built


def _build_months(since: date, today: date, sha: str, now: datetime) -> None:
    """Merge the day cubes of every month that has ended into its month cube."""
    first = date(since.year, since.month, 1)
    while True:
        nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        if nxt > today:
            return
        days = DayCube.objects.filter(day__gte=first, day__lt=nxt, policy_sha256=sha)
        if days.count() == (nxt - first).days:
            merged = merge(r for cube in days.values_list("cube", flat=True) for r in cube)
            MonthCube.objects.update_or_create(
                month=f"{first.year:04d}-{first.month:02d}",
                defaults={"cube": merged, "policy_sha256": sha, "computed_at": now},
            )
        first = nxt
