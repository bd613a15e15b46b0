"""Which policy file the open timers were computed with; a changed file re-computes them."""

from __future__ import annotations

import hashlib
from pathlib import Path

from charterdesk.standard import get_policy

POLICY_HASH_KEY = "policy_sha256"
_checked: list[bool] = []


def policy_hash() -> str:
    policy = get_policy()
    try:
        return hashlib.sha256(Path(policy.path).read_bytes()).hexdigest()
    except OSError:
        return ""


def ensure_policy_current(*, force: bool = False) -> bool:
    """Compare the policy file's hash with the stored one (once per process unless ``force``);
    if it changed, re-compute the open timers and store the new hash.  True if it re-computed."""
    from charterdesk.sla.engine import timers_recompute
    from charterdesk.sla.models import EngineState

    if _checked and not force:
        return False
    current = policy_hash()
    stored = EngineState.objects.filter(key=POLICY_HASH_KEY).values_list("value", flat=True).first()
    _checked[:] = [True]
    if stored == current:
        return False
    if stored is not None:
        timers_recompute()
    EngineState.objects.update_or_create(key=POLICY_HASH_KEY, defaults={"value": current})
    return stored is not None


def forget_check() -> None:
    _checked.clear()
