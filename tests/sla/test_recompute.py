"""A changed calendar or policy re-computes open timers; closed timers keep their values."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from charterdesk.calendar.models import CalendarOverride, Schedule
from charterdesk.cases import services as cs
from charterdesk.sla import policy_state
from charterdesk.sla.engine import timers_recompute
from charterdesk.sla.models import EngineState, Timer
from charterdesk.standard import get_policy
from tests.factories import make_client, make_employee, make_institution

pytestmark = pytest.mark.django_db


def T(text: str) -> datetime:
    return datetime.fromisoformat(text)


def email_case(at: str):
    with time_machine.travel(T(at), tick=False):
        case = cs.case_open(client=make_client(), channel="email", subject="Jautājums")
        cs.case_add_message(case=case, direction="in", kind="request", body="Labdien")
    return case


def test_saving_an_override_in_the_admin_recomputes_open_timers(
    client, django_capture_on_commit_callbacks
):
    make_institution()
    agent = make_employee()
    open_case = email_case("2027-05-12T10:00+03:00")  # Wednesday
    closed_case = email_case("2027-05-12T11:00+03:00")
    with time_machine.travel(T("2027-05-12T12:00+03:00"), tick=False):
        cs.case_reply(case=closed_case, by=agent, body="Atbilde")
    reply = Timer.objects.get(case=open_case, commitment_id="EMAIL-REPLY-1BD")
    kept = Timer.objects.get(case=closed_case, commitment_id="EMAIL-REPLY-1BD")
    assert reply.due_at == T("2027-05-13T10:00+03:00")
    kept_before = (kept.due_at, kept.status, kept.computed_with)

    admin = make_employee().user
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/business_calendar/calendaroverride/add/",
            {
                "date": "2027-05-13",
                "kind": "day_off",
                "name": "Pārcelta darba diena",
                "replaces": "",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CalendarOverride.objects.filter(date=date(2027, 5, 13)).exists()
    reply.refresh_from_db()
    assert reply.due_at == T("2027-05-14T10:00+03:00")  # Thursday became a day off
    open_case.refresh_from_db()
    assert (
        open_case.next_due_at == Timer.objects.get(case=open_case, commitment_id="EMAIL-ACK").due_at
    )
    kept.refresh_from_db()
    assert (kept.due_at, kept.status, kept.computed_with) == kept_before


def test_saving_a_schedule_in_the_admin_recomputes(client, django_capture_on_commit_callbacks):
    case = email_case("2027-05-13T16:30+03:00")  # Thursday
    reply = Timer.objects.get(case=case, commitment_id="EMAIL-REPLY-1BD")
    assert reply.due_at == T("2027-05-14T16:30+03:00")
    admin = make_employee().user
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    data = {
        "name": "ALTUM",
        "is_default": "on",
        "hours-TOTAL_FORMS": "5",
        "hours-INITIAL_FORMS": "0",
        "exceptions-TOTAL_FORMS": "0",
        "exceptions-INITIAL_FORMS": "0",
    }
    for i in range(5):
        data[f"hours-{i}-weekday"] = str(i)
        data[f"hours-{i}-opens"] = "08:30"
        data[f"hours-{i}-closes"] = "16:00" if i == 4 else "17:00"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/business_calendar/schedule/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Schedule.objects.get(is_default=True).hours.count() == 5
    reply.refresh_from_db()
    assert reply.due_at == T("2027-05-14T16:00+03:00")  # Fridays now close at 16:00


def test_a_changed_policy_file_recomputes_at_start_up(monkeypatch):
    case = email_case("2025-05-13T10:00+03:00")
    policy_state.ensure_policy_current(force=True)
    assert (
        EngineState.objects.get(key=policy_state.POLICY_HASH_KEY).value
        == policy_state.policy_hash()
    )
    assert policy_state.ensure_policy_current(force=True) is False

    # The institution changes the one-day answer to two working days, and drops EMAIL-ACK.
    policy = get_policy()
    two_days = replace(
        policy["EMAIL-REPLY-1BD"], deadline=replace(policy["EMAIL-REPLY-1BD"].deadline, amount=2)
    )
    changed = replace(
        policy,
        commitments={
            **{k: v for k, v in policy.commitments.items() if k != "EMAIL-ACK"},
            "EMAIL-REPLY-1BD": two_days,
        },
    )
    monkeypatch.setattr("charterdesk.sla.engine.get_policy", lambda: changed)
    monkeypatch.setattr(policy_state, "policy_hash", lambda: "a-new-hash")
    assert policy_state.ensure_policy_current(force=True) is True
    reply = Timer.objects.get(case=case, commitment_id="EMAIL-REPLY-1BD")
    assert reply.due_at == T("2025-05-15T10:00+03:00")
    assert Timer.objects.get(case=case, commitment_id="EMAIL-ACK").status == "cancelled"
    assert EngineState.objects.get(key=policy_state.POLICY_HASH_KEY).value == "a-new-hash"


def test_recompute_and_sweep_commands():
    email_case("2025-05-13T10:00+03:00")
    out = StringIO()
    call_command("sla", "recompute", stdout=out)
    assert out.getvalue().strip() == "0 open timers changed"
    out = StringIO()
    with time_machine.travel(T("2025-05-20T10:00+03:00"), tick=False):
        call_command("sla", "sweep", stdout=out)
    assert out.getvalue().startswith("sweep: 2 timers checked")
    out = StringIO()
    call_command("sla", "sweep", "--every", "1", "--times", "2", stdout=out)
    assert len(out.getvalue().splitlines()) == 2
    assert timers_recompute() == 0
