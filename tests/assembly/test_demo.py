"""The demo is a day like a real one: more cases than one inbox page, files, reply templates per
programme, a mail in quarantine, and acknowledgements sent on time (not a week late at start-up)."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from charterdesk.assembly.demo import load_demo
from charterdesk.assembly.demo_data import CASE_COUNT
from charterdesk.cases.models import Attachment, Case, CaseEvent, Message
from charterdesk.cases.status import ACTIVE
from charterdesk.channels.email.models import InboundEmail
from charterdesk.desk.selectors import PAGE_SIZE
from charterdesk.directory.config import load_config
from charterdesk.directory.models import Programme
from charterdesk.outbox.defaults import install_default_templates
from charterdesk.outbox.models import MessageTemplate
from charterdesk.sla.checks import sla_sweep
from charterdesk.sla.models import Timer

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

NOW = datetime.fromisoformat("2026-12-02T11:00+02:00")  # a Wednesday morning


@pytest.fixture
def demo():
    with time_machine.travel(NOW, tick=False):
        load_config()
        install_default_templates()
        load_demo()
        sla_sweep()  # what `charterdesk demo` runs at start-up
    return NOW


def test_the_demo_looks_like_a_working_day(demo):
    # CASE_COUNT cases from the channels, and the ones the day's consultations opened
    # (walk-ins and bookings without a case: tests/assembly/test_demo_appointments.py)
    from charterdesk.appointments.models import Appointment

    booked = Appointment.objects.values("case_id")
    assert Case.objects.exclude(pk__in=booked).count() == CASE_COUNT
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
