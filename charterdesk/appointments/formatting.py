"""Dates for clients, in Latvian and English: ``ceturtdien, 2026. gada 3. decembrī, plkst. 10.00``."""

from __future__ import annotations

from datetime import datetime

from charterdesk.core.dates import (
    EN_MONTHS,
    EN_MONTHS_SHORT,
    EN_WEEKDAYS,
    LV_MONTHS_LOCATIVE,
    LV_WEEKDAYS_ON,
)
from charterdesk.core.dates import RIGA as TZ


def long_time(start: datetime, end: datetime | None = None, language: str = "lv") -> str:
    """The consultation's day and time for a client, in Europe/Riga."""
    s = start.astimezone(TZ)
    e = end.astimezone(TZ) if end is not None else None
    if language.startswith("en"):
        text = f"{EN_WEEKDAYS[s.weekday()]}, {s.day} {EN_MONTHS[s.month - 1]} {s.year} at {s:%H:%M}"
        return f"{text}–{e:%H:%M}" if e else text
    text = (
        f"{LV_WEEKDAYS_ON[s.weekday()]}, {s.year}. gada {s.day}. {LV_MONTHS_LOCATIVE[s.month - 1]}, "
        f"plkst. {s:%H.%M}"
    )
    return f"{text}–{e:%H.%M}" if e else text


def short_time(moment: datetime, language: str = "lv") -> str:
    """``03.12.2026 10:00`` / ``3 Dec 2026 10:00`` (as the desk shows times)."""
    m = moment.astimezone(TZ)
    if language.startswith("en"):
        return f"{m.day} {EN_MONTHS_SHORT[m.month - 1]} {m.year} {m:%H:%M}"
    return f"{m:%d.%m.%Y %H:%M}"
