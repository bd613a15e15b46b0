"""Dates as the client reads them in a mail: Riga time, Latvian or English wording.

Latvian needs the month in the locative ("26. novembrī"), which no locale format gives
(``core/dates.py`` spells the words out): ``2026. gada 26. novembrī plkst. 10:00`` and
``26 November 2026 at 10:00``.
"""

from __future__ import annotations

from datetime import datetime

from charterdesk.core.dates import EN_MONTHS, LV_MONTHS_LOCATIVE, RIGA
from charterdesk.outbox.identity import block_language


def format_moment(moment: datetime, language: str) -> str:
    """``moment`` (aware) in Europe/Riga, written out in Latvian or English."""
    if moment.tzinfo is None:
        raise ValueError("format_moment needs an aware datetime")
    local = moment.astimezone(RIGA)
    if block_language(language) == "en":
        return f"{local.day} {EN_MONTHS[local.month - 1]} {local.year} at {local:%H:%M}"
    return f"{local.year}. gada {local.day}. {LV_MONTHS_LOCATIVE[local.month - 1]} plkst. {local:%H:%M}"
