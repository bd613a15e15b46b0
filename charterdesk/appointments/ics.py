"""iCalendar files for invitations, updates and cancellations (RFC 5545/5546, ``icalendar`` ≥ 7).

* ``METHOD`` on VCALENDAR is ``REQUEST`` (a new or changed consultation) or ``CANCEL``; the mail's
  MIME part carries the same ``method=`` (``content_type``).
* ``UID`` is the appointment's, fixed at booking; ``SEQUENCE`` is the appointment's counter, raised
  by the service on every material change (time, office, consultant, cancellation), so calendar
  programs replace the earlier version instead of adding a second event.
* Times are ``TZID=Europe/Riga`` with its VTIMEZONE (from the time-zone database), ``DTSTAMP`` in UTC.
* ``LOCATION`` is the office's address; the description says how to get in [OFFICE-ACCESSIBLE] and
  what to bring (the identity document where the programme needs it [CLIENT-ID]).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

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
    cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())
