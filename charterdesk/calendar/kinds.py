"""What a calendar day is, nationally: the vocabulary shared by the arithmetic and the database.

Pure: no Django import, so the arithmetic can be used (and benchmarked) on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class DayKind(StrEnum):
    """The national kind of a date; values are those of ``CalendarOverride.kind``."""

    HOLIDAY = (
        "holiday"  # a public holiday (svētku diena): no work; the working day before is shortened
    )
    DAY_OFF = (
        "day_off"  # a day off that is not a public holiday: a moved working day, an observed day
    )
    WORKING = "working"  # a working day, e.g. a Saturday worked in exchange for a moved day off
    SHORTENED = "shortened"  # a working day one hour shorter (Labour Law, section 135)


@dataclass(frozen=True, slots=True)
class DayInfo:
    """One date that is not an ordinary weekday or weekend day.

    ``replaces`` is, for a worked Saturday, the working day that was moved onto it (so the Saturday
    keeps that day's hours and, if it was the eve of a public holiday, its shortening)."""

    kind: DayKind
    name: str = ""
    replaces: date | None = None
