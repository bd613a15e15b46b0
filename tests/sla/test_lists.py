"""The SLA step hears lists: a list of many events opens the same timers, with the same moments,
as the same events recorded one list each; stop and explain events inside a list act in order;
one task per recorded list.

Calendar: no schedule configured, so Mon–Fri 08:30–17:00 with Latvia's 2025/2026 days."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from charterdesk.cases import services as cs
from charterdesk.cases.models import Case, CaseEvent, Message
from charterdesk.cases.recording import record_event, record_events
from charterdesk.cases.services import InboundItem
from charterdesk.sla.checks import timers_fire_now
from charterdesk.sla.models import Timer
from charterdesk.standard.events import Event
from tests.factories import make_client, make_employee, make_institution

pytestmark = pytest.mark.django_db

# Within hours, late on a Friday, on a weekend, before and on public holidays (4 May 2026 is
# the Monday for the Restoration of Independence day, 23-24 June Midsummer), at the closing minute.
MOMENTS = [
    "2025-05-13T10:00+03:00",
    "2025-05-16T16:45+03:00",
    "2025-05-17T11:00+03:00",
    "2026-05-01T16:59+03:00",
    "2026-06-22T16:00+03:00",
    "2026-06-23T09:00+03:00",
    "2025-12-31T23:30+02:00",
    "2025-05-13T17:00+03:00",
    "2025-05-13T08:29+03:00",
]


def T(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def cases():
    make_institution()
    agent = make_employee()
    made = []
    for i in range(3):
        made.append(
            cs.case_open(
                client=make_client(email=f"k{i}@example.lv"),
                channel=["email", "phone", "email"][i],
                subject="Aizdevums",
                assignee=agent,
                at=T("2025-05-12T09:00+03:00"),
            )
        )
    return agent, made


def timer_rows() -> list[tuple[Any, ...]]:
    msg_body = dict(Message.objects.values_list("pk", "body"))
    refs = dict(Case.objects.values_list("pk", "reference"))
    return sorted(
        (
            refs[t.case_id],
            msg_body.get(t.message_id),
            t.commitment_id,
            t.status,
            t.started_at,
            t.due_at,
            t.warn_at,
            t.owed_at,
            t.next_check_at,
            t.met_at,
            t.explained_at,
            t.kept_by,
        )
        for t in Timer.objects.all()
    )


def state() -> dict[str, Any]:
    # Compared by reference: a sequence is not rolled back on PostgreSQL, so ids differ.
    refs = dict(Case.objects.values_list("pk", "reference"))
    return {
        "timers": timer_rows(),
        "due": sorted(Case.objects.values_list("reference", "next_due_at")),
        "timer_events": sorted(
            (refs[e.case_id], e.type, e.at)
            for e in CaseEvent.objects.filter(type__startswith="timer.")
        ),
    }


def items(made: list[Case]) -> list[InboundItem]:
    out = []
    for i, moment in enumerate(MOMENTS):
        case = made[i % len(made)]
        meta = {"auto_submitted": True} if i == 4 else {}
        out.append(InboundItem(body=f"m{i}", case_id=case.pk, meta=meta, at=T(moment)))
    client = make_client(email="jauns@example.lv")
    out.append(
        InboundItem(body="new", client=client, channel="email", at=T("2025-05-14T12:00+03:00"))
    )
    out.append(
        InboundItem(body="portal", client=client, channel="portal", at=T("2025-05-14T12:00+03:00"))
    )
    return out


def one_by_one(batch: list[InboundItem]) -> None:
    for item in batch:
        case = (
            Case.objects.get(pk=item.case_id)
            if item.case_id
            else cs.case_open(
                client=item.client, channel=item.channel, subject=item.subject, at=item.at
            )
        )
        cs.case_add_message(
            case=case,
            direction="in",
            kind="request",
            body=item.body,
            channel=item.channel,
            meta=item.meta,
            at=item.at,
        )


def run(fn: Any, *args: Any) -> dict[str, Any]:
    with transaction.atomic():
        fn(*args)
        result = state()
        transaction.set_rollback(True)
    return result


def test_a_batch_opens_the_timers_of_its_items_one_by_one(cases):
    _agent, made = cases
    batch = items(made)
    per_event = run(one_by_one, batch)
    batched = run(cs.case_receive_batch, batch)
    assert batched == per_event
    # ACK + 1BD for the 6 e-mail messages on existing cases and the new e-mail case; none for
    # the phone case, the portal case or the automatic message.
    assert len(per_event["timers"]) == 14


def _events(made: list[Case], agent: Any) -> list[tuple[Case, Event, dict[str, Any], datetime]]:
    """Received, then explained and answered within the same list: stop events go per event."""
    a, _b, c = made
    return [
        (a, Event.MESSAGE_RECEIVED, {"channel": "email"}, T("2025-05-13T10:00+03:00")),
        (c, Event.MESSAGE_RECEIVED, {"channel": "email"}, T("2025-05-13T10:05+03:00")),
        (a, Event.DELAY_EXPLAINED, {}, T("2025-05-13T11:00+03:00")),
        (c, Event.REPLY_SENT, {}, T("2025-05-14T10:06+03:00")),  # a minute late
        (c, Event.MESSAGE_RECEIVED, {"channel": "email"}, T("2025-05-14T11:00+03:00")),
    ]


def _messages(made: list[Case]) -> dict[int, Message]:
    return {
        case.pk: Message.objects.create(
            case=case,
            channel="email",
            direction="in",
            kind="request",
            body="x",
            created_at=T("2025-05-13T10:00+03:00"),
        )
        for case in made
    }


def _record_each(made: list[Case], agent: Any) -> None:
    messages = _messages(made)
    for case, etype, params, at in _events(made, agent):
        message = messages[case.pk] if etype is Event.MESSAGE_RECEIVED else None
        record_event(case=case, type=etype, message=message, at=at, **params)


def _record_bulk(made: list[Case], agent: Any) -> None:
    messages = _messages(made)
    record_events(
        [
            CaseEvent(
                case=case,
                type=etype.value,
                message=messages[case.pk] if etype is Event.MESSAGE_RECEIVED else None,
                at=at,
                params=params,
            )
            for case, etype, params, at in _events(made, agent)
        ]
    )


def test_stop_and_explain_events_in_one_list_act_in_order(cases):
    agent, made = cases
    per_event = run(_record_each, made, agent)
    bulk = run(_record_bulk, made, agent)
    assert bulk == per_event
    statuses = {(t[2], t[3], t[11]) for t in per_event["timers"]}
    assert ("EMAIL-REPLY-1BD", "met", "explanation") in statuses
    assert ("EMAIL-REPLY-1BD", "breached", "answer") in statuses


def test_one_task_per_batch_and_it_fires_each_timer_on_time(
    cases, django_capture_on_commit_callbacks
):
    _agent, made = cases
    before = DBTaskResult.objects.count()
    with (
        time_machine.travel(T("2025-05-13T11:00+03:00"), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        messages = cs.case_receive_batch(
            [
                InboundItem(body=f"b{i}", case_id=made[i % 3].pk, at=T(m))
                for i, m in enumerate(["2025-05-13T10:00+03:00", "2025-05-13T11:00+03:00"])
            ]
        )
    tasks = list(DBTaskResult.objects.order_by("pk")[before:])
    assert len(tasks) == 1
    assert tasks[0].task_path.endswith("timers_fire")
    ids = list(Timer.objects.filter(message__in=messages).values_list("pk", flat=True))
    assert len(ids) == 2  # the phone case's message opens no e-mail timers
    first = min(Timer.objects.filter(pk__in=ids).values_list("next_check_at", flat=True))
    assert tasks[0].run_after == first
    # Early: nothing happens, the task comes back for the same moment.
    with django_capture_on_commit_callbacks(execute=True):
        assert timers_fire_now(ids, now=T("2025-05-13T12:00+03:00")) == 0
    # At the warning moment of the first reply timer (16:30): it warns, nothing else.
    with (
        time_machine.travel(T("2025-05-13T16:30+03:00"), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        checked = timers_fire_now(ids)
    assert checked >= 1
    assert CaseEvent.objects.filter(type="timer.warning").count() >= 1
    # A day later each timer is settled (the acknowledgement was handed to the outbox at its
    # owed moment and met; the unanswered reply breached) and nothing remains pending.
    with django_capture_on_commit_callbacks(execute=True):
        timers_fire_now(ids, now=T("2025-05-15T09:00+03:00"))
    statuses = dict(Timer.objects.filter(pk__in=ids).values_list("commitment_id", "status"))
    assert statuses == {"EMAIL-ACK": "met", "EMAIL-REPLY-1BD": "breached"}
    assert not Timer.objects.filter(pk__in=ids, next_check_at__isnull=False).exists()
