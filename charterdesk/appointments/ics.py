"""iCalendar files for invitations, updates and cancellations (RFC 5545/5546, ``icalendar`` ≥ 7).

* ``METHOD`` on VCALENDAR is ``REQUEST`` (a new or changed consultation) or ``CANCEL``; the mail's
  MIME part carries the same ``method=`` (``content_type``).
* ``UID`` is the appointment's, fixed at booking; ``SEQUENCE`` is the appointment's counter, raised
  by the service on every material change (time, office, consultant, cancellation), so calendar
  programs replace the earlier version instead of adding a second event.
* Times are ``TZID=Europe/Riga`` with its VTIMEZONE (yearly rules, checked against the time-zone
  database by a test), ``DTSTAMP`` in UTC.
* ``LOCATION`` is the office's address; the description says how to get in [OFFICE-ACCESSIBLE] and
  what to bring (the identity document where the programme needs it [CLIENT-ID]).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vRecur,
    vText,
)

TZ = ZoneInfo("Europe/Riga")
PRODID = "-//charterdesk//appointments//LV"


@dataclass(frozen=True, slots=True)
class Invite:
    uid: str
    sequence: int
    method: str  # "REQUEST" or "CANCEL"
    starts_at: datetime
    ends_at: datetime
    stamp: datetime
    summary: str
    description: str
    location: str
    organizer_email: str
    organizer_name: str
    attendee_email: str
    attendee_name: str
    language: str


def content_type(method: str) -> str:
    """The MIME type of the attachment; its ``method=`` matches the file's METHOD."""
    return f"text/calendar; method={method}"


def build(invite: Invite) -> bytes:
    """The .ics file for ``invite`` (CRLF line ends, folded at 75 octets, UTF-8)."""
    if invite.method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported METHOD {invite.method!r}")
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", invite.method)
    event = Event()
    event.add("uid", invite.uid)
    event.add("sequence", invite.sequence)
    event.add("dtstamp", invite.stamp.astimezone(ZoneInfo("UTC")))
    event.add("dtstart", invite.starts_at.astimezone(TZ))
    event.add("dtend", invite.ends_at.astimezone(TZ))
    event.add("summary", vText(invite.summary, params={"LANGUAGE": invite.language}))
    event.add("description", vText(invite.description, params={"LANGUAGE": invite.language}))
    event.add("location", vText(invite.location, params={"LANGUAGE": invite.language}))
    organizer = vCalAddress(f"mailto:{invite.organizer_email}")
    organizer.params["CN"] = vText(invite.organizer_name)
    event.add("organizer", organizer)
    if invite.attendee_email:
        attendee = vCalAddress(f"mailto:{invite.attendee_email}")
        attendee.params["CN"] = vText(invite.attendee_name)
        attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
        attendee.params["PARTSTAT"] = vText(
            "NEEDS-ACTION" if invite.method == "REQUEST" else "DECLINED"
        )
        event.add("attendee", attendee)
    if invite.method == "CANCEL":
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    cal.add_component(riga_vtimezone())
    cal.add_component(event)
    return bytes(cal.to_ical())


def riga_vtimezone() -> Timezone:
    """Europe/Riga as calendar programs expect it: two yearly rules (EU summer time, last Sunday
    of March 03:00 → 04:00, last Sunday of October 04:00 → 03:00), not a table of every change
    since 1970 (which ``add_missing_timezones`` writes and some readers misread).  A test checks
    the rules against the time-zone database for every day of 2024–2040."""
    tz = Timezone()
    tz.add("tzid", "Europe/Riga")
    summer = TimezoneDaylight()
    summer.add("tzname", "EEST")
    summer.add("tzoffsetfrom", timedelta(hours=2))
    summer.add("tzoffsetto", timedelta(hours=3))
    summer.add("dtstart", datetime(1970, 3, 29, 3, 0))  # noqa: DTZ001 (local time by definition)
    summer.add("rrule", vRecur(freq="YEARLY", bymonth=3, byday="-1SU"))
    winter = TimezoneStandard()
    winter.add("tzname", "EET")
    winter.add("tzoffsetfrom", timedelta(hours=3))
    winter.add("tzoffsetto", timedelta(hours=2))
    winter.add("dtstart", datetime(1970, 10, 25, 4, 0))  # noqa: DTZ001
    winter.add("rrule", vRecur(freq="YEARLY", bymonth=10, byday="-1SU"))
    tz.add_component(summer)
    tz.add_component(winter)
    return tz
