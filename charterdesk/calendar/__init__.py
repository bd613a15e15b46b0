"""Business calendar: Latvian holidays, office hours and working-time arithmetic.

The arithmetic (``business``, ``national``, ``kinds``) is pure Python; the database-backed calendar
of an office is ``get_calendar(office)``.  This module imports nothing from Django at import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from charterdesk.calendar.business import BusinessCalendar


def get_calendar(office: Any = None) -> BusinessCalendar:
    """The calendar of ``office`` (an Office; None: the institution's default).

    See :func:`charterdesk.calendar.registry.get_calendar`."""
    from charterdesk.calendar.registry import get_calendar as _get

    return _get(office)


__all__ = ["get_calendar"]
