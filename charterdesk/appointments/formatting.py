"""Dates for clients, in Latvian and English: ``ceturtdien, 2026. gada 3. decembrī, plkst. 10.00``."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Riga")

# Latvian: the weekday and the month in the locative ("on Thursday", "in December").
_LV_WEEKDAYS = (
    "pirmdien",
    "otrdien",
    "trešdien",
    "ceturtdien",
    "piektdien",
    "sestdien",
    "svētdien",
)
_LV_MONTHS = (
    "janvārī",
    "februārī",
    "martā",
    "aprīlī",
    "maijā",
    "jūnijā",
    "jūlijā",
    "augustā",
    "septembrī",
    "oktobrī",
    "novembrī",
    "decembrī",
)
_EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_time(start: datetime, end: datetime | None = None, language: str = "lv") -> str:
    """The consultation's day and time for a client, in Europe/Riga."""
    s = start.astimezone(TZ)
    e = end.astimezone(TZ) if end is not None else None
    if language.startswith("en"):
        text = (
            f"{_EN_WEEKDAYS[s.weekday()]}, {s.day} {_EN_MONTHS[s.month - 1]} {s.year} at {s:%H:%M}"
        )
        return f"{text}–{e:%H:%M}" if e else text
    text = (
        f"{_LV_WEEKDAYS[s.weekday()]}, {s.year}. gada {s.day}. {_LV_MONTHS[s.month - 1]}, "
        f"plkst. {s:%H.%M}"
    )
    return f"{text}–{e:%H.%M}" if e else text


def short_time(moment: datetime, language: str = "lv") -> str:
    """``03.12.2026 10:00`` / ``3 Dec 2026 10:00`` (as the desk shows times)."""
    m = moment.astimezone(TZ)
    if language.startswith("en"):
        return f"{m.day} {_EN_MONTHS[m.month - 1][:3]} {m.year} {m:%H:%M}"
    return f"{m:%d.%m.%Y %H:%M}"
