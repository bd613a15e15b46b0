"""An office's business calendar by the office's code or id (the command line names offices so)."""

from __future__ import annotations

from charterdesk.calendar import get_calendar
from charterdesk.calendar.business import BusinessCalendar
from charterdesk.directory.models import Office


class UnknownOffice(LookupError):
    pass


def office_calendar(office: Office | int | str | None) -> BusinessCalendar:
    """The calendar of ``office`` (an Office, its pk or its code; None: the default schedule).

    Raises :class:`UnknownOffice` for an office pk or code that does not exist."""
    if office is None or isinstance(office, Office):
        return get_calendar(office)
    query = (
        Office.objects.filter(code=office)
        if isinstance(office, str)
        else Office.objects.filter(pk=office)
    )
    found = query.first()
    if found is None:
        raise UnknownOffice(f"there is no office {office!r}")
    return get_calendar(found)
