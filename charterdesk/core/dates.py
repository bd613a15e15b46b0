"""Calendar words in Latvian and English, spelled out once for every part that writes dates.

Latvian needs forms no locale format gives: the month in the locative ("26. novembrī") and the
weekday as an adverb of time ("ceturtdien", on Thursday), besides the nominative ("novembris") and
the abbreviations the State Language Centre recommends ("janv.", "febr." …)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

RIGA = ZoneInfo("Europe/Riga")

LV_MONTHS = (  # nominative: "2026. gada novembris"
    "janvāris",
    "februāris",
    "marts",
    "aprīlis",
    "maijs",
    "jūnijs",
    "jūlijs",
    "augusts",
    "septembris",
    "oktobris",
    "novembris",
    "decembris",
)
LV_MONTHS_LOCATIVE = (  # "2026. gada 26. novembrī"
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
LV_MONTHS_SHORT = (
    "janv.",
    "febr.",
    "marts",
    "apr.",
    "maijs",
    "jūn.",
    "jūl.",
    "aug.",
    "sept.",
    "okt.",
    "nov.",
    "dec.",
)
LV_WEEKDAYS_ON = (  # "on Monday" …
    "pirmdien",
    "otrdien",
    "trešdien",
    "ceturtdien",
    "piektdien",
    "sestdien",
    "svētdien",
)
EN_MONTHS = (
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
EN_MONTHS_SHORT = tuple(m[:3] for m in EN_MONTHS)
EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
