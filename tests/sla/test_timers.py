"""Commitment timers driven by real case services and the policy file (frozen time).

Calendar: no schedule configured, so Mon–Fri 08:30–17:00 with Latvia's 2025/2026 days.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from charterdesk.cases import services as cs
from charterdesk.cases.models import Case, CaseEvent
from charterdesk.cases.recording import record_event
from charterdesk.directory.models import Team
from charterdesk.notifications.models import Notification
from charterdesk.notifications.services import notification_text
from charterdesk.sla import hooks
from charterdesk.sla.checks import sla_sweep, timer_check
from charterdesk.sla.models import Timer
from charterdesk.sla.selectors import (
    Urgency,
    ack_owed_at,
    expected_answer_by,
    open_timers,
    urgency,
    working_time_left,
)
from tests.factories import make_client, make_employee, make_institution

pytestmark = pytest.mark.django_db


def T(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture(autouse=True)
def _no_ack_sender():
    # These tests register their own sender; the outbox's (registered at start-up) comes back after.
    saved = list(hooks._ack_senders)
    hooks.unregister_ack_sender()
    yield
    hooks._ack_senders[:] = saved


@pytest.fixture
def people():
    make_institution()  # replies carry the identity block [EMAIL-IDENTITY]
    team = Team.objects.create(name_lv="Garantijas", name_en="Guarantees")
    lead = make_employee("Laura", "Vadītāja", team=team)
    team.lead = lead
    team.save()
    agent = make_employee("Anna", "Bērziņa", team=team)
    return agent, lead


def open_case(agent=None, channel="email", at="2025-05-13T09:00+03:00"):
    with time_machine.travel(T(at), tick=False):
        return cs.case_open(
            client=make_client(), channel=channel, subject="Aizdevums", assignee=agent
        )


def receive(case, at):
    with time_machine.travel(T(at), tick=False):
        return cs.case_add_message(
            case=case, direction="in", kind="request", body="Labdien!", sender="klients@example.lv"
        )


def timers(case, commitment=None):
    query = Timer.objects.filter(case=case).order_by("id")
    if commitment:
        query = query.filter(commitment_id=commitment)
    return list(query)


def event_types(case, prefix="timer."):
    return list(
        CaseEvent.objects.filter(case=case, type__startswith=prefix)
        .order_by("id")
        .values_list("type", flat=True)
    )


def test_an_inbound_email_opens_ack_and_reply_timers(people):
    agent, _ = people
    case = open_case(agent)
    message = receive(case, "2025-05-13T10:00+03:00")
    ack, reply = timers(case, "EMAIL-ACK")[0], timers(case, "EMAIL-REPLY-1BD")[0]
    assert (ack.message_id, reply.message_id) == (message.pk, message.pk)
    assert ack.due_at == T("2025-05-13T17:00+03:00")
    assert ack.owed_at == T("2025-05-13T16:00+03:00")  # the policy's margin: 1 working hour
    assert reply.due_at == T("2025-05-14T10:00+03:00")
    assert reply.warn_at == T("2025-05-13T16:30+03:00")  # 2 working hours before: 1.5 h + 0.5 h
    assert ack.status == reply.status == "open"
    case.refresh_from_db()
    assert case.next_due_at == ack.due_at
    assert expected_answer_by(case) == reply.due_at
    assert ack_owed_at(case) == ack.owed_at


def test_a_reply_in_time_keeps_both(people):
    agent, _ = people
    case = open_case(agent)
    receive(case, "2025-05-13T10:00+03:00")
    with time_machine.travel(T("2025-05-13T15:00+03:00"), tick=False):
        cs.case_reply(case=case, by=agent, body="Atbilde")
    for timer in timers(case):
        assert (timer.status, timer.kept_by, timer.stopped_by) == ("met", "answer", "reply.sent")
        assert timer.met_at == T("2025-05-13T15:00+03:00")
        assert timer.next_check_at is None
    assert event_types(case) == ["timer.met", "timer.met"]
    case.refresh_from_db()
    assert case.next_due_at is None
    assert list(open_timers([case.pk])) == []


def test_a_delay_explanation_keeps_the_one_day_answer_by_explanation(people):
    agent, _ = people
    case = open_case(agent)
    receive(case, "2025-05-13T10:00+03:00")
    with time_machine.travel(T("2025-05-14T09:00+03:00"), tick=False):
        cs.case_explain_delay(case=case, by=agent, body="Vajadzīgs eksperta atzinums.")
    reply = timers(case, "EMAIL-REPLY-1BD")[0]
    assert (reply.status, reply.kept_by, reply.stopped_by) == (
        "met",
        "explanation",
        "delay.explained",
    )
    assert reply.explained_at == T("2025-05-14T09:00+03:00") and reply.met_at is None
    ack = timers(case, "EMAIL-ACK")[0]
    # The ack was owed by 16:00 the day before and nothing went out: breached; the explanation is
    # recorded as the late answer.
    assert ack.status == "breached" and ack.breached_at == ack.due_at
    assert ack.met_at == T("2025-05-14T09:00+03:00")


def test_warning_then_breach_notify_the_assignee_and_the_team_lead(people):
    agent, lead = people
    case = open_case(agent)
    receive(case, "2025-05-13T10:00+03:00")
    reply = timers(case, "EMAIL-REPLY-1BD")[0]
    assert timer_check(reply.pk, T("2025-05-13T16:00+03:00")) is False  # nothing due yet
    assert timer_check(reply.pk, T("2025-05-13T16:31+03:00")) is True
    reply.refresh_from_db()
    assert reply.warned_at == T("2025-05-13T16:31+03:00") and reply.status == "open"
    warning = CaseEvent.objects.get(case=case, type="timer.warning")
    assert warning.params["commitment"] == "EMAIL-REPLY-1BD"
    assert (
        warning.params["working_seconds_left"] == (29 + 90) * 60
    )  # 16:31 -> 17:00, 08:30 -> 10:00
    assert timer_check(reply.pk, T("2025-05-14T08:40+03:00")) is False  # warned once
    assert timer_check(reply.pk, T("2025-05-14T10:00+03:00")) is True
    reply.refresh_from_db()
    assert reply.status == "breached" and reply.breached_at == T("2025-05-14T10:00+03:00")
    assert reply.next_check_at is None
    breach = CaseEvent.objects.get(
        case=case, type="timer.breached", params__commitment="EMAIL-REPLY-1BD"
    )
    assert breach.at == reply.due_at
    notes = Notification.objects.filter(case=case, commitment_id="EMAIL-REPLY-1BD").order_by(
        "kind", "recipient_id"
    )
    assert {(n.kind, n.recipient_id) for n in notes} == {
        ("warning", agent.pk),
        ("warning", lead.pk),
        ("breach", agent.pk),
        ("breach", lead.pk),
    }
    assert {n.event_id for n in notes} == {warning.pk, breach.pk}
    assert all(case.reference in notification_text(n, "lv") for n in notes)
    # in Latvian (the desk's language by default), with the commitment's title
    breach_text = notification_text(notes.filter(kind="breach").first(), "lv")
    assert "nokavēts termiņš" in breach_text
    assert "Atbilde uz e-pastu vienas darba dienas laikā" in breach_text
    # still owed: the inbox shows it red until the answer goes out
    assert urgency(reply, T("2025-05-14T11:00+03:00")) is Urgency.BREACHED
    assert working_time_left(reply, T("2025-05-14T11:00+03:00")) == -timedelta(hours=1)
    with time_machine.travel(T("2025-05-14T12:00+03:00"), tick=False):
        cs.case_reply(case=case, by=agent, body="Atvainojamies par kavēšanos.")
    reply.refresh_from_db()
    assert reply.status == "breached" and reply.met_at == T("2025-05-14T12:00+03:00")
    assert urgency(reply) is Urgency.DONE


def test_a_late_answer_before_any_sweep_is_a_breach(people):
    agent, _ = people
    case = open_case(agent)
    receive(case, "2025-05-13T10:00+03:00")
    with time_machine.travel(T("2025-05-14T10:30+03:00"), tick=False):
        cs.case_reply(case=case, by=agent, body="Atbilde")
    reply = timers(case, "EMAIL-REPLY-1BD")[0]
    assert reply.status == "breached" and reply.met_at == T("2025-05-14T10:30+03:00")
    late = CaseEvent.objects.get(
        case=case, type="timer.breached", params__commitment="EMAIL-REPLY-1BD"
    )
    assert late.params["late"] is True


def test_each_inbound_message_owes_its_own_answer(people):
    agent, _ = people
    case = open_case(agent)
    first = receive(case, "2025-05-13T10:00+03:00")
    second = receive(case, "2025-05-13T18:00+03:00")  # after hours
    replies = timers(case, "EMAIL-REPLY-1BD")
    assert [t.message_id for t in replies] == [first.pk, second.pk]
    assert replies[1].due_at == T("2025-05-15T08:30+03:00")
    assert expected_answer_by(case) == replies[1].due_at
    assert expected_answer_by(case, first) == replies[0].due_at
    second_ack = timers(case, "EMAIL-ACK")[1]
    assert second_ack.owed_at == T("2025-05-13T18:00+03:00")  # after hours: owed at once
    with time_machine.travel(T("2025-05-14T09:00+03:00"), tick=False):
        cs.case_reply(case=case, by=agent, body="Atbilde uz abiem")
    assert {t.status for t in timers(case, "EMAIL-REPLY-1BD")} == {"met"}


def test_arrival_on_a_day_off_owes_the_ack_at_once_and_counts_from_the_next_working_day(people):
    agent, _ = people
    case = open_case(agent, at="2025-05-01T09:00+03:00")
    receive(case, "2025-05-02T09:00+03:00")  # a moved day off
    ack, reply = timers(case, "EMAIL-ACK")[0], timers(case, "EMAIL-REPLY-1BD")[0]
    assert ack.owed_at == T("2025-05-02T09:00+03:00")
    assert ack.due_at == T("2025-05-06T17:00+03:00")
    assert reply.due_at == T("2025-05-07T08:30+03:00")


def test_automatic_replies_owe_nothing(people):
    agent, _ = people
    case = open_case(agent)
    with time_machine.travel(T("2025-05-13T10:00+03:00"), tick=False):
        cs.case_add_message(
            case=case,
            direction="in",
            kind="request",
            body="Out of office",
            meta={"auto_submitted": "auto-replied"},
        )
    assert timers(case) == []


def test_phone_cases_get_no_email_timers_but_a_callback_timer(people):
    agent, _ = people
    case = open_case(agent, channel="phone")
    receive(case, "2025-05-13T10:00+03:00")
    assert timers(case) == []
    with time_machine.travel(T("2025-05-13T15:00+03:00"), tick=False):
        record_event(case=case, type="callback.promised", actor=agent)
    callback = timers(case, "PHONE-ONE-CONTACT")[0]
    assert callback.due_at == T("2025-05-14T10:30+03:00")  # 4 working hours
    assert callback.warn_at == T("2025-05-14T09:30+03:00")
    with time_machine.travel(T("2025-05-14T09:00+03:00"), tick=False):
        record_event(case=case, type="callback.made", actor=agent)
    callback.refresh_from_db()
    assert (callback.status, callback.stopped_by) == ("met", "callback.made")


def test_a_promised_date_is_kept_or_moved_with_a_message(people):
    agent, _ = people
    case = open_case(agent)
    with time_machine.travel(T("2025-05-13T11:00+03:00"), tick=False):
        cs.case_promise(
            case=case, by=agent, due=T("2025-05-20T12:00+03:00"), message="Līdz 20.05.2025."
        )
    first = timers(case, "TIME-ESTIMATE")[0]
    assert first.due_at == T("2025-05-20T12:00+03:00")
    assert first.warn_at == T("2025-05-20T10:00+03:00")
    with time_machine.travel(T("2025-05-19T11:00+03:00"), tick=False):
        cs.case_promise(
            case=case,
            by=agent,
            due=T("2025-05-23T12:00+03:00"),
            message="Vajag vēl 3 dienas: 23.05.2025.",
        )
    first.refresh_from_db()
    assert (first.status, first.kept_by, first.stopped_by) == (
        "met",
        "explanation",
        "estimate.moved",
    )
    second = timers(case, "TIME-ESTIMATE")[1]
    assert second.due_at == T("2025-05-23T12:00+03:00") and second.status == "open"
    with time_machine.travel(T("2025-05-22T11:00+03:00"), tick=False):
        cs.case_reply(case=case, by=agent, body="Atbilde")
    second.refresh_from_db()
    assert (second.status, second.kept_by) == ("met", "answer")


def test_the_sweep_finds_what_a_stopped_worker_missed_and_is_idempotent(people):
    agent, _ = people
    cases = [open_case(agent) for _ in range(3)]
    for case in cases:
        receive(case, "2025-05-13T10:00+03:00")
    assert sla_sweep(T("2025-05-13T12:00+03:00")) == 0
    # Nobody ran anything until the next afternoon: warnings are skipped for breaches
    checked = sla_sweep(T("2025-05-14T15:00+03:00"))
    assert checked == 6
    assert {t.status for t in Timer.objects.all()} == {"breached"}
    assert Timer.objects.filter(next_check_at__isnull=False).count() == 0
    assert CaseEvent.objects.filter(type="timer.breached").count() == 6
    assert sla_sweep(T("2025-05-14T15:05+03:00")) == 0
    assert CaseEvent.objects.filter(type="timer.breached").count() == 6
    assert Notification.objects.filter(kind="breach").count() == 12


def test_the_ack_sender_is_called_once_when_the_ack_is_owed(people):
    agent, _ = people
    calls = []

    def sender(*, timer_id, case_id, message_id):
        calls.append((timer_id, case_id, message_id))
        case = Case.objects.get(pk=case_id)
        cs.case_add_message(case=case, direction="out", kind="ack", body="Saņemts.")

    hooks.register_ack_sender(sender)
    case = open_case(agent)
    message = receive(case, "2025-05-13T10:00+03:00")
    ack = timers(case, "EMAIL-ACK")[0]
    assert ack.next_check_at == T("2025-05-13T16:00+03:00")  # the owed moment comes first
    with time_machine.travel(T("2025-05-13T16:00:05+03:00"), tick=False):
        assert sla_sweep() == 2 - 1  # only the ack is pending yet
    assert calls == [(ack.pk, case.pk, message.pk)]
    ack.refresh_from_db()
    assert ack.handed_over_at == T("2025-05-13T16:00:05+03:00")
    assert (ack.status, ack.stopped_by) == ("met", "ack.sent")
    with time_machine.travel(T("2025-05-13T16:10+03:00"), tick=False):
        timer_check(ack.pk)
        sla_sweep()
    assert len(calls) == 1


def test_a_failing_ack_sender_is_rolled_back_and_retried(people):
    agent, _ = people
    attempts = []

    def sender(*, timer_id, case_id, message_id):
        attempts.append(timer_id)
        if len(attempts) == 1:
            raise RuntimeError("SMTP down")

    hooks.register_ack_sender(sender)
    case = open_case(agent)
    receive(case, "2025-05-13T18:00+03:00")  # after hours: owed at once
    ack = timers(case, "EMAIL-ACK")[0]
    assert timer_check(ack.pk, T("2025-05-13T18:00:01+03:00")) is False
    ack.refresh_from_db()
    assert ack.handed_over_at is None and ack.next_check_at == T("2025-05-13T18:00+03:00")
    assert timer_check(ack.pk, T("2025-05-13T18:01+03:00")) is True
    ack.refresh_from_db()
    assert ack.handed_over_at == T("2025-05-13T18:01+03:00")
    assert attempts == [ack.pk, ack.pk]
    assert ack.next_check_at == ack.due_at  # now only the deadline is pending


def test_deferred_tasks_are_enqueued_for_the_next_moment(
    people, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    agent, _ = people
    case = open_case(agent)
    with (
        time_machine.travel(T("2025-05-13T10:00+03:00"), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        cs.case_add_message(case=case, direction="in", kind="request", body="Labdien!")
    # One task for the timers the message opened, at the first of their moments: the reply's
    # warning (2 working hours before Wed 10:00; the ack's deadline is 17:00).  It checks what is
    # due then and enqueues itself again for the rest (tests/sla/test_lists.py).
    rows = list(DBTaskResult.objects.filter(task_path="charterdesk.sla.tasks.timers_fire"))
    assert [row.run_after for row in rows] == [T("2025-05-13T16:30+03:00")]
    assert sorted(rows[0].args_kwargs["args"][0]) == sorted(t.pk for t in timers(case))
    moments = sorted(t.next_check_at for t in timers(case))
    assert moments == [T("2025-05-13T16:30+03:00"), T("2025-05-13T17:00+03:00")]


def test_timer_tasks_are_idempotent(people):
    from charterdesk.sla.tasks import sla_sweep as sweep_task
    from charterdesk.sla.tasks import timer_fire

    agent, _ = people
    case = open_case(agent)
    receive(case, "2025-05-13T10:00+03:00")
    reply = timers(case, "EMAIL-REPLY-1BD")[0]
    with time_machine.travel(T("2025-05-14T10:00:01+03:00"), tick=False):
        assert timer_fire.call(reply.pk) is True
        assert timer_fire.call(reply.pk) is False
        assert sweep_task.call() == 1  # the ack
        assert sweep_task.call() == 0
    assert timer_fire.call(999_999) is False


def test_a_user_facing_urgency_for_the_inbox(people):
    agent, _ = people
    case = open_case(agent)
    receive(case, "2025-05-13T10:00+03:00")
    reply = timers(case, "EMAIL-REPLY-1BD")[0]
    assert urgency(reply, T("2025-05-13T12:00+03:00")) is Urgency.OK
    assert working_time_left(reply, T("2025-05-13T12:00+03:00")) == timedelta(hours=6, minutes=30)
    assert urgency(reply, T("2025-05-14T09:00+03:00")) is Urgency.CLOSE
    assert urgency(reply, T("2025-05-14T10:00+03:00")) is Urgency.BREACHED
    found = {t.commitment_id for t in open_timers([case.pk])}
    assert found == {"EMAIL-ACK", "EMAIL-REPLY-1BD"}


def test_no_timers_when_the_clock_is_not_running_in_utc_confusion(people):
    # Aware datetimes in any zone give the same timers.
    agent, _ = people
    case = open_case(agent)
    with time_machine.travel(T("2025-10-26T01:30+00:00"), tick=False):  # 03:30, repeated hour
        cs.case_add_message(case=case, direction="in", kind="request", body="x")
    reply = timers(case, "EMAIL-REPLY-1BD")[0]
    assert reply.started_at == timezone.now().replace(
        year=2025, month=10, day=26, hour=1, minute=30, second=0, microsecond=0
    )
    assert reply.due_at == T("2025-10-28T08:30+02:00")
