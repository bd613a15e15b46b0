"""An institution's own deadline (the Law on Submissions: 10 working days) is measured like the
standard's: the real SLA engine opens and judges its timers, the report counts them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import time_machine

from charterdesk.cases import services as cs
from charterdesk.reports.figures import Counts, Period, Scope, compute_report
from charterdesk.sla import hooks
from charterdesk.sla.checks import sla_sweep
from charterdesk.sla.models import Timer
from charterdesk.standard import get_policy
from tests.factories import make_client, make_employee, make_institution

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
