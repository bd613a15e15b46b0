"""Rings, derived from the seconds a phone alerted — never stored as given [PHONE-RING].

A ring is one cadence of the ringing tone (Latvia: 1 s on, 4 s off → a 5 s cycle; the cycle and the
threshold come from the policy).  A caller who heard the phone alert for ``s`` seconds heard
``ceil(s / cycle)`` rings: 1 s → 1 ring, 16 s → 4 rings, 21 s → 5 rings.  Pure arithmetic, no Django.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from charterdesk.standard.policy import Commitment, Policy


@dataclass(frozen=True, slots=True)
class RingRule:
    cycle_seconds: float
    threshold: int  # the last ring by which a call must be answered

    @classmethod
    def from_policy(cls, policy: Policy) -> RingRule:
        commitment: Commitment = policy["PHONE-RING"]
        if commitment.threshold is None or commitment.ring_cycle_seconds is None:
            raise ValueError("PHONE-RING needs 'threshold' and 'ring_cycle_seconds' in the policy")
        return cls(commitment.ring_cycle_seconds, int(commitment.threshold.value))

    def rings(self, seconds: float | None) -> int | None:
        """Rings heard in ``seconds`` of alerting (``None`` when the phone never alerted)."""
        if seconds is None:
            return None
        # Moments come in milliseconds; round first so that 20.0000001 s is not a sixth ring.
        ms = round(max(seconds, 0.0) * 1000)
        return math.ceil(ms / round(self.cycle_seconds * 1000)) if ms > 0 else 0

    def within(self, seconds: float | None) -> bool:
        rings = self.rings(seconds)
        return rings is not None and rings <= self.threshold


def seconds_between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max((end - start).total_seconds(), 0.0)
