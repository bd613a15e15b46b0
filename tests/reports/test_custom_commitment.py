"""An institution's own deadline (the Law on Submissions: 10 working days) is measured like the
standard's: the real SLA engine opens and judges its timers, the report counts them."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
import time_machine

from charterdesk.cases import services as cs
from charterdesk.cases.models import CaseEvent
from charterdesk.reports.cubes import cubes_build
from charterdesk.reports.drilldown import drilldown
from charterdesk.reports.figures import Counts, Period, Scope, compliance_report, compute_report
from charterdesk.sla import hooks
from charterdesk.sla.checks import sla_sweep
from charterdesk.sla.models import Timer
from charterdesk.standard import get_policy
from tests.factories import make_client, make_employee, make_external, make_institution

pytestmark = pytest.mark.django_db
EXAMPLE = (
    Path(__file__).resolve().parents[2]
    / "charterdesk"
    / "standard"
    / "policies"
    / "examples"
    / "submissions-law.toml"
)


@pytest.fixture
def submissions_law(settings):
    settings.CHARTERDESK_POLICY = str(EXAMPLE)
    get_policy.cache_clear()
    saved = list(hooks._ack_senders)
    hooks.unregister_ack_sender()
    yield
    hooks._ack_senders[:] = saved
    get_policy.cache_clear()


def T(text: str) -> datetime:
    return datetime.fromisoformat(text)


def letter(client, agent, at: str):
    with time_machine.travel(T(at), tick=False):
        case = cs.case_open(client=client, channel="post", subject="Iesniegums", assignee=agent)
        cs.case_add_message(
            case=case, direction="in", kind="letter", body="Lūdzu atbildēt.", channel="post"
        )
    return case


def test_the_submissions_law_deadline_is_measured(submissions_law):
    make_institution()
    agent = make_employee("Anna", "Bērziņa")
    client = make_client(postal_address="Brīvības iela 1, Rīga")
    # Received Mon 2 Nov 2026 10:00; 10 working days → Mon 16 Nov 10:00 (no holidays between).
    on_time = letter(client, agent, "2026-11-02T10:00+02:00")
    late = letter(client, agent, "2026-11-02T11:00+02:00")
    timers = Timer.objects.filter(commitment_id="SUBMISSION-REPLY-10WD")
    assert timers.count() == 2
    assert {t.due_at for t in timers} == {T("2026-11-16T10:00+02:00"), T("2026-11-16T11:00+02:00")}
    with time_machine.travel(T("2026-11-13T12:00+02:00"), tick=False):
        cs.case_reply(case=on_time, by=agent, body="Atbilde uz Jūsu iesniegumu.", channel="post")
    with time_machine.travel(T("2026-11-17T09:00+02:00"), tick=False):
        sla_sweep()
        cs.case_reply(case=late, by=agent, body="Atbilde, diemžēl novēlota.", channel="post")
    report = compute_report(
        period=Period.month_of(2026, 11),
        scope=Scope.everything(),
        as_of=T("2026-12-01T12:00+02:00"),
    )
    fig = report.figure("SUBMISSION-REPLY-10WD")
    assert fig.measured == "timers" and report.policy["SUBMISSION-REPLY-10WD"].custom
    assert fig.total == Counts(1, 0, 1) and fig.total.rate == pytest.approx(0.5)
    assert fig.splits["channel"] == {"post": Counts(1, 0, 1)}
    # The standard's one-working-day reply applies to letters too (section 3.3, "by e-mail and
    # post": altum.toml), measured beside the law's 10 days: both letters waited longer than one
    # working day for their answer.
    assert report.figure("EMAIL-REPLY-1BD").total == Counts(0, 0, 2)
    # the e-mail-only acknowledgement did not start on letters
    assert report.figure("EMAIL-ACK").total == Counts()


def refer(case, agent, institution, at: str) -> None:
    with time_machine.travel(T(at), tick=False):
        case.refresh_from_db()
        cs.case_refer(
            case=case,
            institution=institution,
            by=agent,
            message_to_client="Jūsu iesniegumu pārsūtījām kompetentajai iestādei.",
        )


def test_forwarding_within_5_working_days_is_decided_when_the_clock_stops(submissions_law):
    """SUBMISSION-FORWARD-5WD: 5 working days from receipt to the referral, counted over the
    submissions that were referred.  Hand-counted:

    - kept:    received Mon 2 Nov 10:00, referred Fri 6 Nov (working day 4; due Mon 9 Nov 10:00);
    - broken:  received Mon 2 Nov 11:00, referred Tue 10 Nov (working day 6; due 9 Nov 11:00);
    - kept:    received Fri 13 Nov 10:00, referred Mon 23 Nov 09:00 — 18 November (Proclamation
               Day) is a holiday, so the fifth working day is Mon 23 Nov (due 10:00), not Fri 20;
    - left out: received Mon 2 Nov 12:00 and answered by us on Thu 12 Nov (after the 5 days):
               the commitment did not apply, the answer cancelled the clock;
    - overdue: received Tue 3 Nov 10:00, neither answered nor referred by 1 Dec: not broken yet,
               shown as overdue (due Tue 10 Nov 10:00).
    Rate 2/3.
    """
    make_institution()
    agent = make_employee("Anna", "Bērziņa")
    client = make_client(postal_address="Brīvības iela 1, Rīga")
    vid = make_external()
    kept = letter(client, agent, "2026-11-02T10:00+02:00")
    late = letter(client, agent, "2026-11-02T11:00+02:00")
    holiday = letter(client, agent, "2026-11-13T10:00+02:00")
    answered = letter(client, agent, "2026-11-02T12:00+02:00")
    waiting = letter(client, agent, "2026-11-03T10:00+02:00")
    forward = Timer.objects.filter(commitment_id="SUBMISSION-FORWARD-5WD")
    assert forward.count() == 5
    due = {t.case_id: t.due_at for t in forward.all()}
    assert due[kept.pk] == T("2026-11-09T10:00+02:00")
    assert due[late.pk] == T("2026-11-09T11:00+02:00")
    assert due[holiday.pk] == T("2026-11-23T10:00+02:00")  # 18 Nov is not a working day
    # Its due moment raises nothing: the timer is judged when it stops.
    assert all(t.next_check_at is None for t in forward.all())

    refer(kept, agent, vid, "2026-11-06T14:00+02:00")
    with time_machine.travel(T("2026-11-09T12:00+02:00"), tick=False):
        sla_sweep()
    assert forward.get(case=late).status == "open"  # past due, not broken by the sweep
    refer(late, agent, vid, "2026-11-10T09:00+02:00")
    with time_machine.travel(T("2026-11-12T10:00+02:00"), tick=False):
        cs.case_reply(case=answered, by=agent, body="Atbilde uz Jūsu iesniegumu.", channel="post")
    refer(holiday, agent, vid, "2026-11-23T09:00+02:00")
    with time_machine.travel(T("2026-12-01T11:00+02:00"), tick=False):
        sla_sweep()

    states = {t.case_id: (t.status, t.stopped_by) for t in forward.all()}
    assert states == {
        kept.pk: ("met", "case.referred"),
        late.pk: ("breached", "case.referred"),
        holiday.pk: ("met", "case.referred"),
        answered.pk: ("cancelled", "reply.sent"),
        waiting.pk: ("open", ""),
    }
    (breach,) = (
        e
        for e in CaseEvent.objects.filter(case=late, type="timer.breached")
        if e.params["commitment"] == "SUBMISSION-FORWARD-5WD"
    )
    assert breach.at == T("2026-11-09T11:00+02:00") and breach.params["late"] is True
    assert not [
        e
        for e in CaseEvent.objects.filter(case=waiting, type="timer.breached")
        if e.params["commitment"] == "SUBMISSION-FORWARD-5WD"
    ]

    as_of = T("2026-12-01T12:00+02:00")
    report = compute_report(period=Period.month_of(2026, 11), scope=Scope.everything(), as_of=as_of)
    fig = report.figure("SUBMISSION-FORWARD-5WD")
    assert fig.measured == "timers" and fig.decided_on_stop
    assert fig.total == Counts(2, 0, 1) and fig.total.rate == pytest.approx(2 / 3)
    assert fig.overdue == 1 and fig.running == 0
    assert fig.splits["channel"] == {"post": Counts(2, 0, 1)}
    assert fig.trend == {"2026-11": Counts(2, 0, 1)}
    # The stored cubes count it the same way (a finished day is decided for good).
    cubes_build(now=as_of)
    stored = compliance_report(
        period=Period.month_of(2026, 11), scope=Scope.everything(), as_of=as_of
    )
    assert stored.figure("SUBMISSION-FORWARD-5WD").total == Counts(2, 0, 1)
    assert stored.figure("SUBMISSION-FORWARD-5WD").overdue == 1

    # The drill-down lists the same cases; the broken one opens on its breach.
    page = drilldown(
        commitment_id="SUBMISSION-FORWARD-5WD",
        period=Period.month_of(2026, 11),
        scope=Scope.everything(),
        outcome="broken",
        as_of=as_of,
    )
    assert [(r.timer.case_id, r.breach_event_id) for r in page.rows] == [(late.pk, breach.pk)]
    listed = drilldown(
        commitment_id="SUBMISSION-FORWARD-5WD",
        period=Period.month_of(2026, 11),
        scope=Scope.everything(),
        as_of=as_of,
    )
    assert {r.timer.case_id for r in listed.rows} == {kept.pk, late.pk, holiday.pk}
    overdue = drilldown(
        commitment_id="SUBMISSION-FORWARD-5WD",
        period=Period.month_of(2026, 11),
        scope=Scope.everything(),
        outcome="overdue",
        as_of=as_of,
    )
    assert [(r.timer.case_id, r.outcome) for r in overdue.rows] == [(waiting.pk, "overdue")]
    # The answer of our own still keeps the law's reply deadline (10 working days: due 16 Nov).
    assert Timer.objects.get(case=answered, commitment_id="SUBMISSION-REPLY-10WD").status == "met"


def test_the_report_page_shows_the_overdue_forwarding_apart(submissions_law, client):
    make_institution()
    agent = make_employee("Anna", "Bērziņa")
    qm = make_employee("Dace", "Vītola", quality_manager=True)
    person = make_client(postal_address="Brīvības iela 1, Rīga")
    waiting = letter(person, agent, "2026-11-03T10:00+02:00")
    with time_machine.travel(T("2026-12-01T12:00+02:00"), tick=False):
        client.force_login(qm.user)
        html = client.get("/en/reports/", {"period": "2026-11"}).content.decode()
        assert 'id="overdue-SUBMISSION-FORWARD-5WD">1 overdue</a>' in html
        assert "clocks cancelled by reply.sent, case.resolved, case.declined" in html
        listed = client.get(
            "/en/reports/SUBMISSION-FORWARD-5WD/", {"period": "2026-11", "outcome": "overdue"}
        ).content.decode()
        assert waiting.reference in listed and "overdue, not decided yet" in listed
        lv = client.get("/reports/", {"period": "2026-11"}, HTTP_ACCEPT_LANGUAGE="lv")
        assert ">1 nokavēts</a>" in lv.content.decode()
        export = client.get("/en/reports/export.csv", {"period": "2026-11"})
        rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
        forward = next(r for r in rows if r["commitment_id"] == "SUBMISSION-FORWARD-5WD")
        assert (forward["overdue"], forward["counted"], forward["still_running"]) == ("1", "0", "0")
        reply = next(r for r in rows if r["commitment_id"] == "SUBMISSION-REPLY-10WD")
        assert reply["overdue"] == ""  # decided at its due moment: no such figure
