"""Invitation, update and cancellation: the mail as the outbox builds it, the .ics parsed back with
``icalendar`` field by field, and opened by a second, independent parser (``vobject``)."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from charterdesk.appointments.services import appointment_cancel, appointment_move
from charterdesk.outbox.models import OutboxMessage
from charterdesk.outbox.services.delivery import build_email
from tests.appointments.conftest import riga
from tests.appointments.test_booking import NOW, book


def calendar_part(row: OutboxMessage):
    """The mail as it goes over SMTP, parsed back, and its one text/calendar part."""
    raw = build_email(row).message().as_bytes()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in message.walk()]
    return message, parts[0]


def latest_mail(case) -> OutboxMessage:
    return OutboxMessage.objects.filter(case=case, kind="invitation").order_by("-id").first()


def parse(part) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(part.get_payload(decode=True))


def check_common(cal: icalendar.Calendar, part, method: str, uid: str, sequence: int):
    assert part.get_param("method") == method  # the MIME method= …
    assert str(cal["METHOD"]) == method  # … matches VCALENDAR's METHOD
    assert str(cal["VERSION"]) == "2.0" and "charterdesk" in str(cal["PRODID"])
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) == sequence
    [tz] = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/Riga"
    assert event["DTSTART"].params["TZID"] == "Europe/Riga"
    assert event["DTEND"].params["TZID"] == "Europe/Riga"
    assert event.decoded("DTSTAMP").utcoffset() == timedelta(0)
    return event


def test_request_update_cancel_field_by_field(world):
    a = book(world, riga(2026, 12, 7, 10))
    uid = a.uid

    message, part = calendar_part(latest_mail(a.case))
    cal = parse(part)
    event = check_common(cal, part, "REQUEST", uid, 0)
    assert event.decoded("DTSTART") == riga(2026, 12, 7, 10)
    assert event.decoded("DTSTART").tzinfo.key == "Europe/Riga"
    assert event.decoded("DTEND") == riga(2026, 12, 7, 10, 45)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["LOCATION"]) == "Rīgas konsultāciju birojs, Doma laukums 4, Rīga, LV-1050"
    description = str(event["DESCRIPTION"])
    assert "Ieeja no Doma laukuma bez pakāpieniem" in description  # [OFFICE-ACCESSIBLE]
    assert "personu apliecinošs dokuments" in description  # [CLIENT-ID], in Latvian
    assert str(event["ORGANIZER"]) == "mailto:riga@altum.lv"
    assert str(event["ATTENDEE"]) == "mailto:ilze@example.lv"
    assert str(event["SUMMARY"]).startswith(
        "Pieraksts uz konsultāciju: pirmdien, 2026. gada 7. decembrī"
    )
    # The mail itself: Latvian, with the identity block and the links.
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Labdien!" in text and "Anna Bērziņa" in text
    assert "/a/" in text  # the signed links

    moved = appointment_move(appointment=a, starts_at=riga(2026, 12, 9, 11), via="desk", now=NOW)
    _, part = calendar_part(latest_mail(a.case))
    cal = parse(part)
    event = check_common(cal, part, "REQUEST", uid, 1)
    assert event.decoded("DTSTART") == riga(2026, 12, 9, 11)
    assert str(event["SUMMARY"]).startswith("Pieraksts uz konsultāciju pārcelts")

    appointment_cancel(appointment=moved, via="desk", now=NOW)
    _, part = calendar_part(latest_mail(a.case))
    cal = parse(part)
    event = check_common(cal, part, "CANCEL", uid, 2)
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.decoded("DTSTART") == riga(2026, 12, 9, 11)
    assert OutboxMessage.objects.filter(case=a.case, kind="invitation").count() == 3


def test_a_second_parser_reads_the_same(world):
    a = book(world, riga(2026, 12, 7, 10))
    appointment_move(appointment=a, starts_at=riga(2026, 12, 9, 11), via="desk", now=NOW)
    rows = OutboxMessage.objects.filter(case=a.case, kind="invitation").order_by("id")
    sequences = []
    for row in rows:
        _, part = calendar_part(row)
        parsed = vobject.readOne(part.get_payload(decode=True).decode("utf-8"))
        assert parsed.method.value == "REQUEST"
        vevent = parsed.vevent
        assert vevent.uid.value == a.uid
        sequences.append(int(vevent.sequence.value))
        start = vevent.dtstart.value
        assert start.utcoffset() == timedelta(hours=2)  # Riga in December, from the VTIMEZONE
        assert "Doma laukums 4" in vevent.location.value
    assert sequences == [0, 1]
    assert start.astimezone(ZoneInfo("UTC")) == riga(2026, 12, 9, 11)


@pytest.mark.parametrize(
    ("language", "summary", "bring"),
    [
        ("en", "Consultation booked", "an identity document"),
        ("lv", "Pieraksts uz konsultāciju", "personu apliecinošs dokuments"),
    ],
)
def test_in_the_clients_language(world, language, summary, bring):
    world.ilze.language = language
    world.ilze.save()
    a = book(world, riga(2026, 12, 7, 10), language=None)
    message, part = calendar_part(latest_mail(a.case))
    [event] = parse(part).walk("VEVENT")
    assert str(event["SUMMARY"]).startswith(summary)
    assert event["SUMMARY"].params["LANGUAGE"] == language
    assert bring in str(event["DESCRIPTION"])
    assert message["Content-Language"] == language


def test_summer_time_in_the_file(world):
    # A consultation in summer: the same wall-clock time, +03:00 in the file's VTIMEZONE.
    from charterdesk.appointments import ics

    invite = ics.Invite(
        uid="x@y",
        sequence=3,
        method="REQUEST",
        starts_at=riga(2026, 7, 6, 9),
        ends_at=riga(2026, 7, 6, 9, 45),
        stamp=NOW,
        summary="s",
        description="d",
        location="l",
        organizer_email="o@x",
        organizer_name="O",
        attendee_email="a@x",
        attendee_name="A",
        language="lv",
    )
    data = ics.build(invite)
    assert b"DTSTART;TZID=Europe/Riga:20260706T090000" in data
    parsed = vobject.readOne(data.decode())
    assert parsed.vevent.dtstart.value.utcoffset() == timedelta(hours=3)
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))


def test_the_vtimezone_agrees_with_the_time_zone_database():
    """The file's Europe/Riga rules give the same UTC offset as zoneinfo at noon of every day and
    around every change, 2024–2040 (both parsers)."""
    from datetime import date, datetime

    from charterdesk.appointments import ics

    riga_db = ZoneInfo("Europe/Riga")
    data = icalendar.Calendar()
    data.add_component(ics.riga_vtimezone())
    raw = data.to_ical()
    from_icalendar = icalendar.Calendar.from_ical(raw).walk("VTIMEZONE")[0].to_tz()
    from_vobject = vobject.readOne(raw.decode()).vtimezone.gettzinfo()
    moments = []
    day = datetime(2024, 1, 1, 12)  # noqa: DTZ001 (wall-clock times, each zone applied below)
    while day.year < 2041:
        moments.append(day)
        day += timedelta(days=1)
    for year in range(2024, 2041):  # one hour either side of each change, in UTC
        for month in (3, 10):
            for d in range(25, 32):
                if date(year, month, d).weekday() == 6:
                    for h in (0, 2):
                        moments.append(
                            datetime(year, month, d, h, 30, tzinfo=ZoneInfo("UTC"))
                            .astimezone(riga_db)
                            .replace(tzinfo=None)
                        )
    for naive in moments:
        expected = naive.replace(tzinfo=riga_db).utcoffset()
        assert naive.replace(tzinfo=from_icalendar).utcoffset() == expected, naive
        assert naive.replace(tzinfo=from_vobject).utcoffset() == expected, naive
