"""Notifications of warnings and breaches: the route step, once per (recipient, event), the
e-mail through the outbox in working hours, the access rule, marking read.

Calendar: no schedule configured, so Mon–Fri 08:30–17:00 with Latvia's days (tests/sla)."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction

from charterdesk.cases import services as cs
from charterdesk.cases.models import Case, CaseEvent
from charterdesk.directory.models import Team
from charterdesk.notifications.models import Notification
from charterdesk.notifications.services import (
    notification_text,
    notifications_for,
    notifications_mark_read,
    unread_count,
)
from charterdesk.outbox.models import NOTICE, OutboxMessage
from charterdesk.outbox.services import outbox_send_pending
from charterdesk.sla import hooks
from charterdesk.sla.checks import sla_sweep
from tests.factories import make_client, make_employee, make_institution

pytestmark = pytest.mark.django_db


def T(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture(autouse=True)
def _no_ack_sender():
    saved = list(hooks._ack_senders)
    hooks.unregister_ack_sender()
    yield
    hooks._ack_senders[:] = saved


@pytest.fixture
def people():
    make_institution()
    team = Team.objects.create(name_lv="Garantijas", name_en="Guarantees")
    lead = make_employee("Laura", "Vadītāja", team=team)
    team.lead = lead
    team.save()
    agent = make_employee("Anna", "Bērziņa", team=team, languages="en")
    return agent, lead


def case_with_request(agent, at="2025-05-13T10:00+03:00"):
    """Tuesday 13 May 2025, 10:00: EMAIL-ACK due 17:00, EMAIL-REPLY-1BD due Wednesday 10:00."""
    with time_machine.travel(T(at), tick=False):
        case = cs.case_open(
            client=make_client(), channel="email", subject="Aizdevums", assignee=agent
        )
        cs.case_add_message(
            case=case, direction="in", kind="request", body="Labdien!", sender="k@example.lv"
        )
    return case


def test_the_sweep_twice_tells_each_recipient_once_per_event(people):
    agent, lead = people
    case = case_with_request(agent)
    # Friday evening, nobody ran anything: both timers breached, after working hours.
    assert sla_sweep(T("2025-05-16T19:00+03:00")) == 2
    assert sla_sweep(T("2025-05-16T19:05+03:00")) == 0
    breaches = list(CaseEvent.objects.filter(case=case, type="timer.breached"))
    assert len(breaches) == 2
    rows = Notification.objects.filter(case=case)
    assert rows.count() == 4  # 2 events × (assignee, team lead)
    assert {(n.recipient_id, n.event_id) for n in rows} == {
        (p.pk, e.pk) for p in (agent, lead) for e in breaches
    }
    # the same event handed to the step again (a second sweep, a replayed task) adds nothing
    from charterdesk.notifications.services import on_case_events

    on_case_events(breaches)
    assert Notification.objects.filter(case=case).count() == 4
    assert OutboxMessage.objects.filter(kind=NOTICE).count() == 4


def test_the_database_refuses_a_second_row_for_one_recipient_and_event(people):
    agent, _ = people
    case = case_with_request(agent)
    sla_sweep(T("2025-05-14T12:00+03:00"))
    first = Notification.objects.filter(recipient=agent).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            recipient=agent,
            case=case,
            event=first.event,
            kind=first.kind,
            commitment_id=first.commitment_id,
            due_at=first.due_at,
            created_at=first.created_at,
        )


def test_the_email_waits_for_working_hours_and_goes_through_the_outbox(people, mailoutbox):
    agent, lead = people
    case = case_with_request(agent)
    sla_sweep(T("2025-05-16T19:00+03:00"))  # Friday 19:00: the office is closed
    mails = OutboxMessage.objects.filter(kind=NOTICE, to_employee=agent)
    assert mails.count() == 2
    monday = T("2025-05-19T08:30+03:00")  # the next working moment
    assert {m.next_attempt_at for m in mails} == {monday}
    assert all(m.case_message_id is None and m.to == agent.email for m in mails)
    # in the recipient's language (Anna: English), the case's reference in the subject
    assert {m.subject for m in mails} == {f"Deadline missed: {case.reference}"}
    assert all("was due" in m.body_text and f"/cases/{case.pk}/" in m.body_text for m in mails)
    lead_mail = OutboxMessage.objects.filter(kind=NOTICE, to_employee=lead).first()
    assert lead_mail.subject == f"Nokavēts termiņš: {case.reference}"
    # Saturday: still nothing sent; Monday 08:30: sent, once
    assert outbox_send_pending(now=T("2025-05-17T10:00+03:00")) == {}
    assert len(mailoutbox) == 0
    assert outbox_send_pending(now=monday) == {"sent": 4}
    assert len(mailoutbox) == 4
    assert outbox_send_pending(now=T("2025-05-19T09:00+03:00")) == {}
    assert len(mailoutbox) == 4
    # a notice carries no attachment and is not on the case's timeline
    assert not any(m.attachments for m in mailoutbox)
    assert not case.messages.filter(direction="out").exists()


def test_a_warning_in_working_hours_is_mailed_at_once(people):
    agent, _ = people
    case_with_request(agent)
    sla_sweep(T("2025-05-13T16:31+03:00"))  # the EMAIL-REPLY-1BD warning, Tuesday afternoon
    n = Notification.objects.get(recipient=agent, kind="warning")
    assert n.email is not None and n.email.next_attempt_at == T("2025-05-13T16:31+03:00")
    assert "deadline is close" in notification_text(n, "en")
    assert "tuvojas termiņš" in notification_text(n, "lv")


def test_nobody_is_told_of_a_case_they_may_not_see_and_the_list_hides_it_later(people):
    agent, lead = people
    outsider_team = Team.objects.create(name_lv="Cita", name_en="Other")
    case = case_with_request(agent)
    # confidential and no longer the team's: the lead of Anna's team would be told of it
    # (recipients), but may not see it (cases/access.py), so is not
    Case.objects.filter(pk=case.pk).update(confidential=True, team=None)
    sla_sweep(T("2025-05-14T12:00+03:00"))
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {agent.pk}
    assert not OutboxMessage.objects.filter(kind=NOTICE, to_employee=lead).exists()
    # a case that leaves the assignee afterwards drops out of their list and count
    assert unread_count(agent) == 2
    other = make_employee("Pēteris", "Cits", team=outsider_team)
    Case.objects.filter(pk=case.pk).update(assignee=other, team=outsider_team)
    assert unread_count(agent) == 0
    assert notifications_for(agent) == []


def test_mark_read_one_or_all_and_never_someone_elses(people):
    agent, lead = people
    case_with_request(agent)
    sla_sweep(T("2025-05-14T12:00+03:00"))
    assert unread_count(agent) == unread_count(lead) == 2
    mine = notifications_for(agent)[0]
    theirs = notifications_for(lead)[0]
    assert notifications_mark_read(employee=agent, ids=[mine.pk, theirs.pk]) == 1
    assert unread_count(agent) == 1 and unread_count(lead) == 2
    assert notifications_mark_read(employee=agent) == 1
    assert unread_count(agent) == 0 and unread_count(lead) == 2


def test_a_deferred_email_is_withheld_when_the_case_is_no_longer_visible(people, mailoutbox):
    agent, _lead = people
    case = case_with_request(agent)
    sla_sweep(T("2025-05-16T19:00+03:00"))  # Friday evening: the mails wait for Monday
    # over the weekend the case goes to another team, confidential: Anna may no longer see it
    other_team = Team.objects.create(name_lv="Cita", name_en="Other")
    other = make_employee("Pēteris", "Cits", team=other_team)
    Case.objects.filter(pk=case.pk).update(confidential=True, assignee=other, team=other_team)
    counts = outbox_send_pending(now=T("2025-05-19T08:30+03:00"))
    assert counts == {"failed": 4}
    assert len(mailoutbox) == 0
    assert set(OutboxMessage.objects.filter(kind=NOTICE).values_list("last_error", flat=True)) == {
        "Withheld: the employee may no longer see the case."
    }
    assert not case.events.filter(type="message.not_sent").exists()
