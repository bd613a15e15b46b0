"""Latvia's national calendar from the ``holidays`` package (country LV).

What the package gives (checked against v0.109, see ``docs/business-time.md``):

* the public holidays of the law "On Public Holidays, Commemoration and Celebration Days" (Mother's
  Day and Pentecost included: they are holidays that always fall on a Sunday);
* the days off observed when 4 May or 18 November fall on a weekend (``observed``);
* the working days moved by Cabinet orders, 2001–2026: the weekday becomes a day off and the Saturday
  it was moved to a working day (``weekend_workdays``; the pairing is in the Latvia class's
  ``special_public_holidays`` table as ``(day off month, day, worked month, day)``).

What it does not give: the shortened day before a public holiday (computed by the arithmetic from
the holidays below) and any Cabinet order published after the package release; those are
``CalendarOverride`` rows in the database.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import holidays

from charterdesk.calendar.kinds import DayInfo, DayKind

COUNTRY = "LV"
_MODULE = "holidays.countries.latvia"


@lru_cache(maxsize=1)
def _latvia() -> Callable[..., Any]:
    """The package's Latvia class.  ``holidays.country_holidays("LV")`` finds it by importing
    ``holidays.countries``, whose ``__init__`` imports all ~250 countries (300 modules, ~80 ms of
    CPU in every process that computes a deadline, e.g. each e-mail import); the one module that
    defines Latvia imports only the package's shared base classes, so it is loaded by itself (not
    entered in ``sys.modules``: the package's own import of it stays as it is).  Its translations
    are found by country code, as the package's entry point finds them.  If the package's layout
    changes, its entry point is used (``tests/calendar`` checks the two give the same days)."""
    if _MODULE in sys.modules:
        return sys.modules[_MODULE].Latvia  # type: ignore[no-any-return]
    path = Path(holidays.__file__).with_name("countries") / "latvia.py"
    spec = importlib.util.spec_from_file_location("_charterdesk_holidays_latvia", path)
    if spec is None or spec.loader is None or not path.exists():
        return _entry_point
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        return module.Latvia  # type: ignore[no-any-return]
    except Exception:
        return _entry_point


def _entry_point(**options: Any) -> Any:
    return holidays.country_holidays(COUNTRY, **options)


def _substitutions(calendar: Any, year: int) -> dict[date, date]:
    """Day off -> the Saturday worked in exchange, for ``year`` (empty if the package changes)."""
    table = getattr(calendar, "special_public_holidays", None)
    if not isinstance(table, Mapping):
        return {}
    entries = table.get(year, ())
    if entries and not isinstance(entries[0], tuple):
        entries = (entries,)
    pairs: dict[date, date] = {}
    for entry in entries:
        if len(entry) >= 4 and all(isinstance(x, int) for x in entry[:4]):
            to_month, to_day, from_month, from_day, *rest = entry
            from_year = rest[0] if rest and isinstance(rest[0], int) else year
            pairs[date(year, to_month, to_day)] = date(from_year, from_month, from_day)
    return pairs


def _worked_label(replaces: date | None) -> str:
    # Latvian, as the package's own names: "working day (moved from 02.05.2025)".
    return f"Darba diena (pārcelta no {replaces:%d.%m.%Y})" if replaces else "Darba diena"


@lru_cache(maxsize=64)
def latvian_days(year: int, language: str = "lv") -> Mapping[date, DayInfo]:
    """The dates of ``year`` that are not ordinary weekdays/weekend days in Latvia."""
    latvia = _latvia()
    with_observed = latvia(years=year, language=language)
    statutory = latvia(years=year, observed=False, language=language)
    moved = _substitutions(with_observed, year)
    days: dict[date, DayInfo] = {}
    for day, name in sorted(with_observed.items()):
        is_public_holiday = day in statutory and day not in moved
        days[day] = DayInfo(DayKind.HOLIDAY if is_public_holiday else DayKind.DAY_OFF, str(name))
    worked_for = {worked: off for off, worked in moved.items()}
    for worked in sorted(with_observed.weekend_workdays):
        if worked.year != year:
            continue
        replaces = worked_for.get(worked)
        days[worked] = DayInfo(DayKind.WORKING, _worked_label(replaces), replaces)
    # A worked Saturday whose pairing lies in the other year (e.g. a January day off worked in
    # December): look at the neighbouring years' tables too.
    for other in (year - 1, year + 1):
        for off, worked in _substitutions(latvia(years=other, language=language), other).items():
            if worked.year == year and worked not in days:
                days[worked] = DayInfo(DayKind.WORKING, _worked_label(off), off)
    return days
