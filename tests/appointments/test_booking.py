"""Booking, moving, cancelling, and the database refusing a double booking on both databases."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from charterdesk.appointments.errors import NotBookable, SlotTaken
from charterdesk.appointments.models import Appointment, AppointmentStatus
from charterdesk.appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_move,
)
from charterdesk.cases.models import CaseEvent, Message
from tests.appointments.conftest import riga

NOW = riga(2026, 12, 1, 12)


@pytest.fixture(autouse=True)
def _english():
    """The services' refusals are read here in English (the pages' Latvian is tested too)."""
    with translation.override("en"):
        yield


def book(world, starts_at, **kw):
    args = dict(
        programme=world.housing,
        office=world.riga_office,
        consultant=world.anna,
        starts_at=starts_at,
        via="desk",
        topic="Garantija dzīvokļa iegādei",
        client=world.ilze,
        contact_phone="+37129123456",
        contact_email="ilze@example.lv",
        by=world.anna,
        now=NOW,
    )
    args.update(kw)
    return appointment_book(**args)


def test_booking_records_everything_on_a_new_case(world):
    a = book(world, riga(2026, 12, 7, 10), help_wanted="Kā pieteikties garantijai?")
    a.refresh_from_db()
    assert a.status == AppointmentStatus.BOOKED
    assert a.ends_at == riga(2026, 12, 7, 10, 45)
    assert a.blocked_until == riga(2026, 12, 7, 11)
    assert (
        a.special_needs == "Vājredzība: lūdz lielu drukas burtu."
    )  # from the client [CLIENT-SPECIAL-NEEDS]
    assert a.needs_identity_document is True  # from the programme [CLIENT-ID]
    assert a.case.client == world.ilze and a.case.office == world.riga_office
    assert a.sequence == 0 and "@" in a.uid
    event = CaseEvent.objects.get(case=a.case, type="appointment.booked")
    assert event.params["appointment"] == a.pk
    assert event.params["special_needs"] is True
    assert event.params["invitation_sent"] is True
    invitation = Message.objects.get(case=a.case, kind="invitation")
    assert invitation.attachments.get().content_type == "text/calendar; method=REQUEST"


def test_the_rules_refuse_with_a_reason(world):
    with pytest.raises(NotBookable, match="does not consult"):
        book(world, riga(2026, 12, 7, 10), consultant=world.janis)
    with pytest.raises(NotBookable, match="at least 120 minutes"):
        book(world, riga(2026, 12, 1, 13))
    with pytest.raises(NotBookable, match="at most 60 days"):
        book(world, riga(2027, 2, 8, 10))
    with pytest.raises(NotBookable, match="does not receive clients"):
        book(world, riga(2026, 12, 7, 14))  # after Anna's plan
    with pytest.raises(NotBookable, match="does not receive clients"):
        book(world, riga(2026, 12, 7, 10, 5))  # off the 15-minute grid
    with pytest.raises(NotBookable, match="phone number or an e-mail"):
        book(world, riga(2026, 12, 7, 10), contact_phone="", contact_email="")
    assert not Appointment.objects.exists()
    assert not Message.objects.exists()


def test_a_taken_time_gives_the_next_free_ones(world):
    book(world, riga(2026, 12, 7, 10))
    with pytest.raises(SlotTaken) as taken:
        book(world, riga(2026, 12, 7, 10, 15))  # overlaps the first one's blocked range
    assert str(taken.value) == "This time was just taken. Choose one of the next free times."
    nxt = [s.starts_at for s in taken.value.next_slots]
    assert nxt[0] == riga(2026, 12, 7, 11)
    assert len(nxt) == 5
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize("via_orm", ["insert", "update"])
def test_the_database_itself_refuses_a_double_booking(world, via_orm):
    """Past the service: a raw insert (or an update into the same time) is refused by the
    exclusion constraint (PostgreSQL) or the trigger (SQLite)."""
    first = book(world, riga(2026, 12, 7, 10))
    second = book(world, riga(2026, 12, 7, 12))
    with (
        pytest.raises(IntegrityError, match="appointment_no_double_booking"),
        transaction.atomic(),
    ):
        if via_orm == "insert":
            first.pk = None
            first.uid = "other@x"
            first.starts_at = first.blocked_from = riga(2026, 12, 7, 10, 30)
            first.ends_at = first.blocked_until = riga(2026, 12, 7, 11, 15)
            first.save(force_insert=True)
        else:
            Appointment.objects.filter(pk=second.pk).update(blocked_from=riga(2026, 12, 7, 10, 59))
    # Cancelled rows do not block, and another consultant at the same time is fine.
    Appointment.objects.filter(pk=second.pk).update(status="cancelled")
    Appointment.objects.filter(pk=second.pk).update(blocked_from=riga(2026, 12, 7, 10, 30))


def test_move_keeps_the_uid_raises_the_sequence_and_writes_history(world):
    a = book(world, riga(2026, 12, 7, 10))
    uid = a.uid
    moved = appointment_move(
        appointment=a, starts_at=riga(2026, 12, 9, 11), via="desk", by=world.anna, now=NOW
    )
    assert moved.uid == uid and moved.sequence == 1
    assert moved.starts_at == riga(2026, 12, 9, 11)
    event = CaseEvent.objects.get(case=a.case, type="appointment.moved")
    assert event.params["previous_starts"] == riga(2026, 12, 7, 10).isoformat()
    assert event.params["starts"] == riga(2026, 12, 9, 11).isoformat()
    # The old time is free again, the new one is taken.
    book(world, riga(2026, 12, 7, 10), client=world.ilze)
    with pytest.raises(SlotTaken):
        book(world, riga(2026, 12, 9, 11))
    # Moving onto an occupied time is refused and changes nothing.
    other = book(world, riga(2026, 12, 9, 9))
    with pytest.raises(SlotTaken):
        appointment_move(
            appointment=other, starts_at=riga(2026, 12, 9, 11, 15), via="desk", now=NOW
        )
    other.refresh_from_db()
    assert other.starts_at == riga(2026, 12, 9, 9) and other.sequence == 0


def test_move_to_another_office_and_day(world):
    a = book(world, riga(2026, 12, 7, 10))
    moved = appointment_move(
        appointment=a,
        starts_at=riga(2026, 12, 8, 10),
        office=world.valmiera,
        via="desk",
        now=NOW,
    )
    assert moved.office == world.valmiera and moved.sequence == 1


def test_cancel_frees_the_time_and_keeps_the_history(world):
    a = book(world, riga(2026, 12, 7, 10))
    cancelled = appointment_cancel(
        appointment=a, via="desk", reason="Slimība", by=world.anna, now=NOW
    )
    assert cancelled.status == AppointmentStatus.CANCELLED and cancelled.sequence == 1
    types = list(CaseEvent.objects.filter(case=a.case).values_list("type", flat=True))
    assert "appointment.booked" in types and "appointment.cancelled" in types
    assert Message.objects.filter(case=a.case, kind="invitation").count() == 2
    book(world, riga(2026, 12, 7, 10))  # free again
    with pytest.raises(NotBookable):
        appointment_cancel(appointment=a, via="desk", now=NOW)


def test_a_client_without_e_mail_is_booked_and_told_by_phone(world):
    from tests.factories import make_client

    no_mail = make_client("Pēteris Liepa", email="", phone="+37126000000")
    a = book(world, riga(2026, 12, 7, 10), client=no_mail, contact_email="")
    event = CaseEvent.objects.get(case=a.case, type="appointment.booked")
    assert event.params["invitation_sent"] is False
    assert not Message.objects.filter(case=a.case, kind="invitation").exists()
