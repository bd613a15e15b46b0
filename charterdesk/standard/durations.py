"""Durations in the policy file, in words a quality manager can read.

Accepted forms (case-insensitive, singular or plural):

* ``same working day``          — before the end of the working day of the start event
* ``N working days``            — the same clock time N working days later
* ``N working hours``           — N hours counted in working time only
* ``N working minutes``
* ``N minutes`` / ``N hours``   — wall-clock time
* ``promised``                  — the moment the employee promised to the client
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class DurationUnit(StrEnum):
    SAME_WORKING_DAY = "same_working_day"
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    WORKING_MINUTES = "working_minutes"
    MINUTES = "minutes"
    HOURS = "hours"
    PROMISED = "promised"


@dataclass(frozen=True, slots=True)
class Duration:
    unit: DurationUnit
    amount: int = 0

    def __str__(self) -> str:
        if self.unit in (DurationUnit.SAME_WORKING_DAY, DurationUnit.PROMISED):
            return self.unit.value.replace("_", " ")
        return f"{self.amount} {self.unit.value.replace('_', ' ')}"


_PATTERN = re.compile(
    r"^\s*(?:(?P<special>same working day|promised)"
    r"|(?P<amount>\d+)\s+(?P<unit>working days?|working hours?|working minutes?|minutes?|hours?))\s*$",
    re.IGNORECASE,
)
_UNITS = {
    "working day": DurationUnit.WORKING_DAYS,
    "working hour": DurationUnit.WORKING_HOURS,
    "working minute": DurationUnit.WORKING_MINUTES,
    "minute": DurationUnit.MINUTES,
    "hour": DurationUnit.HOURS,
}


class DurationError(ValueError):
    pass


def parse_duration(text: str) -> Duration:
    """Parse ``text`` or raise :class:`DurationError` saying what is accepted."""
    if not isinstance(text, str):
        raise DurationError(f"expected a duration in words, got {text!r}")
    match = _PATTERN.match(text)
    if not match:
        raise DurationError(
            f"{text!r} is not a duration; write e.g. '1 working day', '4 working hours', "
            "'30 minutes', 'same working day' or 'promised'"
        )
    if match["special"]:
        return Duration(DurationUnit(match["special"].lower().replace(" ", "_")))
    amount = int(match["amount"])
    if amount <= 0:
        raise DurationError(f"{text!r}: the amount must be positive")
    unit = match["unit"].lower().rstrip("s")
    return Duration(_UNITS[unit], amount)
