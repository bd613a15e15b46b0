"""The demo is a day like a real one: more cases than one inbox page, files, reply templates per
programme, a mail in quarantine, and acknowledgements sent on time (not a week late at start-up)."""

from __future__ import annotations

import pytest
from django.db.models import F, Q

from charterdesk.assembly.demo_data import CASE_COUNT
from charterdesk.cases.models import Attachment, Case, CaseEvent, Message
from charterdesk.cases.status import ACTIVE
from charterdesk.channels.email.models import InboundEmail
from charterdesk.desk.selectors import PAGE_SIZE
from charterdesk.directory.models import Programme
from charterdesk.outbox.models import MessageTemplate
from charterdesk.sla.models import Timer

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_looks_like_a_working_day(demo):
    # CASE_COUNT cases from the channels, the ones the day's consultations opened (walk-ins and
    # bookings without a case: tests/assembly/test_demo_appointments.py), and the ones calls
    # opened: callback cases, and the new cases of call notes (tests/assembly/test_demo_phone.py)
    from charterdesk.appointments.models import Appointment

    booked = Appointment.objects.values("case_id")
    by_calls = Case.objects.filter(
        Q(callback_calls__isnull=False) | Q(calls__note_written_at=F("created_at"))
    ).values("pk")
    assert by_calls.exists()
    assert Case.objects.exclude(pk__in=booked).exclude(pk__in=by_calls).count() == CASE_COUNT
    assert Case.objects.filter(status__in=[s.value for s in ACTIVE]).count() > PAGE_SIZE
    assert Attachment.objects.filter(message__direction="in").count() >= 3
    for programme in Programme.objects.all():
        assert MessageTemplate.objects.filter(programme=programme, kind="reply").count() == 2
    assert InboundEmail.objects.filter(state="quarantined").count() == 1
    # (one test: loading the demo takes a while on a shared machine)
    acks = Timer.objects.filter(commitment_id="EMAIL-ACK", due_at__lte=demo)
    assert acks.count() >= 20
    # every acknowledgement owed before start-up went out at its owed moment, before the deadline
    assert not acks.filter(status="breached").exists()
    assert not CaseEvent.objects.filter(
        type="timer.breached", params__commitment="EMAIL-ACK"
    ).exists()
    checked = 0
    for timer in acks.filter(status="met").select_related("message"):
        sent = Message.objects.filter(
            case=timer.case_id, kind="ack", meta__acknowledges=timer.message_id
        ).first()
        if sent is None:
            continue  # kept by an earlier reply (the client was written to first)
        assert sent.created_at == timer.owed_at <= timer.due_at
        assert timer.met_at == timer.owed_at
        checked += 1
    assert checked >= 20
