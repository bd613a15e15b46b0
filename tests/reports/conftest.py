"""A hand-built month (November 2026, Europe/Riga) whose every figure was counted by hand.

Five cases, two offices, two programmes, two teams; timers written as rows (the report reads the
rows the SLA engine writes; the engine itself is tested in tests/sla).  The figures, counted on
paper (k = kept, x = kept by explanation, b = broken):

EMAIL-REPLY-1BD, due in November:
  c1 email P1 O1 E1 T1: k (due 3 Nov), b (due 10 Nov, breached)
  c2 email P1 O2 E2 T1: x (12 Nov), k (20 Nov)
  c4 email P2 —  E3 T2: k (25 Nov), b (27 Nov, still "open": the due moment passed, not swept)
  c5 post  —  O2 E1 T1: k (30 Nov 23:30 Riga, the last half hour of the month)
  left out: c5 k due 1 Dec 00:30 Riga (= 30 Nov 22:30 UTC: December in Riga),
            c1 cancelled (15 Nov), c2 k due 31 Oct 23:59 Riga (October, in the trend)
  total k4 x1 b2 = 7 counted, rate 5/7
  channel: email k3 x1 b2, post k1
  office: O1 k1 b1, O2 k2 x1, none k1 b1
  programme: P1 k2 x1 b1, P2 k1 b1, none k1
  employee: E1 k2 b1, E2 k1 x1, E3 k1 b1
  trend: 2026-10 k1; 2026-11 k4 x1 b2
  team T1 (lead L1): k3 x1 b1 (4/5); team T2 (lead L2): k1 b1
TIME-ESTIMATE: c3 phone P2 O1 E3 T2: b (5 Nov), x (6 Nov) — 1/2
EMAIL-ACK: c1 k (3 Nov), c2 b (12 Nov) — 1/2
MISTAKE-APOLOGY (events mistake.recorded): c1 (4 Nov), c3 (5 Nov) — applied 2; T1 1
DECLINE-REASONS (events case.declined): c4 30 Nov 23:00 Riga — 1 (c4 1 Dec 00:10 Riga: December)
Satisfaction surveys sent in November: c1 (score 5), c2 (score 3), c3 (phone, not answered);
  c4's was sent 31 Oct (October). → sent 3, answered 2, response 2/3, average 4.0;
  email sent 2 answered 2 avg 4.0, phone sent 1 answered 0; E1 5, E2 3, E3 none; team T1 sent 2.
Feedback received in November: praise about c1, a complaint about c4, a suggestion about office O2
  (no case): praise 1, complaint 1, suggestion 1; team T1 sees the praise only.
December, seen at 1 Dec 12:00 Riga: EMAIL-REPLY-1BD k1 (c5), running 1 (c2, due 3 Dec).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from charterdesk.cases.models import Case, CaseEvent
from charterdesk.directory.models import Office, Programme, Team
from charterdesk.sla.models import Timer
from tests.factories import make_client, make_employee


@pytest.fixture(autouse=True)
def _default_language():
    # A request leaves its language active in the thread, and reverse() prefixes URLs with it:
    # a test that ends on an English page must not turn the next test's URLs English.
    yield
    translation.deactivate()


RIGA = ZoneInfo("Europe/Riga")
AS_OF = datetime(2026, 12, 1, 12, 0, tzinfo=RIGA)


def riga(day: int, hour: int = 10, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=RIGA)


@dataclass
class Month:
    cases: dict[str, Case]
    employees: dict[str, object]
    offices: dict[str, Office]
    programmes: dict[str, Programme]
    teams: dict[str, Team]
    timers: dict[str, Timer]


def _timer(case: Case, cid: str, due: datetime, outcome: str) -> Timer:
    started = due.replace(hour=8) if due.hour > 8 else due
    t = Timer(case=case, commitment_id=cid, started_at=started, due_at=due, computed_with="hand")
    if outcome == "k":
        t.status, t.met_at, t.kept_by, t.stopped_by = "met", started, "answer", "reply.sent"
    elif outcome == "x":
        t.status, t.explained_at, t.kept_by = "met", started, "explanation"
        t.stopped_by = "delay.explained"
    elif outcome == "b":
        t.status, t.breached_at = "breached", due
    elif outcome == "open":
        t.status = "open"
    elif outcome == "cancelled":
        t.status = "cancelled"
    t.save()
    if outcome == "b":
        CaseEvent.objects.create(
            case=case,
            type="timer.breached",
            at=due,
            params={"timer": t.pk, "commitment": cid, "due": due.isoformat()},
        )
    return t


@pytest.fixture
def month(db) -> Month:
    return build_month()


def build_month() -> Month:
    o1 = Office.objects.create(
        code="o1", name_lv="Rīgas birojs", name_en="Riga office", address="Rīga"
    )
    o2 = Office.objects.create(
        code="o2", name_lv="Cēsu birojs", name_en="Cēsis office", address="Cēsis"
    )
    p1 = Programme.objects.create(
        code="p1", name_lv="Mājokļu garantijas", name_en="Housing guarantees", category="guarantee"
    )
    p2 = Programme.objects.create(
        code="p2", name_lv="Mikrokredīti", name_en="Microloans", category="loan"
    )
    t1 = Team.objects.create(name_lv="Pirmā komanda", name_en="Team one")
    t2 = Team.objects.create(name_lv="Otrā komanda", name_en="Team two")
    e1 = make_employee("Anna", "Bērziņa", team=t1)
    e2 = make_employee("Jānis", "Kalniņš", team=t1)
    e3 = make_employee("Ilze", "Ozola", team=t2)
    l1 = make_employee("Līga", "Vadone", team=t1)
    l2 = make_employee("Pēteris", "Vadītājs", team=t2)
    t1.lead, t2.lead = l1, l2
    t1.save()
    t2.save()
    client = make_client()

    def case(ref: str, channel: str, prog, office, emp, team) -> Case:
        return Case.objects.create(
            reference=f"ALT-2026-{ref}",
            subject=f"Jautājums {ref}",
            client=client,
            channel=channel,
            programme=prog,
            office=office,
            assignee=emp,
            team=team,
            status="resolved",
            created_at=riga(2),
            updated_at=riga(2),
        )

    c1 = case("000001", "email", p1, o1, e1, t1)
    c2 = case("000002", "email", p1, o2, e2, t1)
    c3 = case("000003", "phone", p2, o1, e3, t2)
    c4 = case("000004", "email", p2, None, e3, t2)
    c5 = case("000005", "post", None, o2, e1, t1)
    R = "EMAIL-REPLY-1BD"
    timers = {
        "c1k": _timer(c1, R, riga(3, 15), "k"),
        "c1b": _timer(c1, R, riga(10, 15), "b"),
        "c2x": _timer(c2, R, riga(12, 15), "x"),
        "c2k": _timer(c2, R, riga(20, 15), "k"),
        "c4k": _timer(c4, R, riga(25, 15), "k"),
        "c4open": _timer(c4, R, riga(27, 15), "open"),
        "c5k": _timer(c5, R, riga(30, 23, 30), "k"),
        "c5dec": _timer(c5, R, riga(1, 0, 30, month=12), "k"),
        "c1cancelled": _timer(c1, R, riga(15, 15), "cancelled"),
        "c2oct": _timer(c2, R, riga(31, 23, 59, month=10), "k"),
        "c2running": _timer(c2, R, riga(3, 15, month=12), "open"),
        "c3b": _timer(c3, "TIME-ESTIMATE", riga(5, 15), "b"),
        "c3x": _timer(c3, "TIME-ESTIMATE", riga(6, 15), "x"),
        "ack1": _timer(c1, "EMAIL-ACK", riga(3, 17), "k"),
        "ack2": _timer(c2, "EMAIL-ACK", riga(12, 17), "b"),
    }
    CaseEvent.objects.create(case=c1, type="mistake.recorded", at=riga(4), params={})
    CaseEvent.objects.create(case=c3, type="mistake.recorded", at=riga(5), params={})
    CaseEvent.objects.create(case=c4, type="case.declined", at=riga(30, 23), params={})
    CaseEvent.objects.create(case=c4, type="case.declined", at=riga(1, 0, 10, month=12), params={})
    from charterdesk.feedback.models import Feedback, SurveyInvitation

    def survey(case: Case, sent: datetime, score: int | None) -> None:
        SurveyInvitation.objects.create(
            kind="call" if case.channel == "phone" else "case",
            case=case,
            client=case.client,
            channel=case.channel,
            office=case.office,
            programme=case.programme,
            employee=case.assignee,
            via="email",
            nonce=f"{case.pk:08d}{sent:%m%d}",
            sent_at=sent,
            expires_at=sent + timedelta(days=14),
            answered_at=sent + timedelta(hours=2) if score else None,
            score=score,
        )

    survey(c1, riga(4), 5)
    survey(c2, riga(13), 3)
    survey(c3, riga(6), None)
    survey(c4, riga(31, 20, month=10), 4)
    Feedback.objects.create(
        kind="praise", channel="email", text="Paldies", case=c1, employee=e1, received_at=riga(5)
    )
    Feedback.objects.create(
        kind="complaint", channel="phone", text="Ilgi", case=c4, received_at=riga(26)
    )
    Feedback.objects.create(
        kind="suggestion", channel="in_person", text="Stāvvieta", office=o2, received_at=riga(20)
    )
    return Month(
        cases={"c1": c1, "c2": c2, "c3": c3, "c4": c4, "c5": c5},
        employees={"e1": e1, "e2": e2, "e3": e3, "l1": l1, "l2": l2},
        offices={"o1": o1, "o2": o2},
        programmes={"p1": p1, "p2": p2},
        teams={"t1": t1, "t2": t2},
        timers=timers,
    )
