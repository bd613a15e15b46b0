"""Thin, idempotent tasks that take ids: the deferred timer checks and the periodic sweep."""

from __future__ import annotations

from django_tasks import task

from charterdesk.sla import checks, engine
from charterdesk.sla.policy_state import ensure_policy_current


@task()
def timer_fire(timer_id: int) -> bool:
    """Run at a timer's next pending moment (``run_after``); safe to run twice or early."""
    ensure_policy_current()
    return checks.timer_check(timer_id)


@task()
def sla_sweep() -> int:
    """Catch anything a stopped worker missed: check every timer with a pending moment."""
    return checks.sla_sweep()


@task()
def timers_recompute_task() -> int:
    """Re-compute open timers after a policy or calendar change (many timers: not inline)."""
    return engine.timers_recompute()


@task()
def timers_fire(timer_ids: list[int]) -> int:
    """The timers one recording opened: check those due, re-enqueue for the rest."""
    ensure_policy_current()
    return checks.timers_fire_now(timer_ids)
