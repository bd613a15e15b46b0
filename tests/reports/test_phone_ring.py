"""[PHONE-RING] in the compliance report, counted from the calls (no timer exists for it): the same
calls the phone measures count, by the same definition, in the month the call was offered."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from charterdesk.channels.phone.measures import measure_day
from charterdesk.channels.phone.payload import CallEventIn
from charterdesk.channels.phone.services import call_events_record
from charterdesk.directory.models import Team
from charterdesk.reports.figures import Period, Scope, compute_report
from tests.factories import make_employee
from tests.phone.helpers import make_exchange

pytestmark = pytest.mark.django_db

RIGA = ZoneInfo("Europe/Riga")
T0 = datetime(2026, 11, 30, 23, 0, tzinfo=RIGA)  # the last hour of November in Riga


def _call(exchange, call_id: str, start: datetime, rang: float, end: str, ext: str = "101"):
    at = start + timedelta(seconds=2)
    events = [
        CallEventIn(call_id, "offered", start, caller="+37129123456", line="+37167774010"),
        CallEventIn(call_id, "alerting", at, leg=ext, extension=ext),
    ]
    stop = at + timedelta(seconds=rang)
    if end == "answered":
        events.append(CallEventIn(call_id, "answered", stop, leg=ext, extension=ext))
    elif end == "abandoned":
        events.append(CallEventIn(call_id, "abandoned", stop))
    else:
        events.append(CallEventIn(call_id, "no_answer", stop, leg=ext))
    events.append(CallEventIn(call_id, "ended", stop + timedelta(seconds=60)))
    call_events_record(exchange=exchange, events=events)


def test_phone_ring_is_counted_from_the_calls_as_the_measures_count_them():
    exchange = make_exchange()
    front, other = Team.objects.create(name_lv="A"), Team.objects.create(name_lv="B")
    make_employee("Anna", team=front, extension="101")
    make_employee("Jānis", team=other, extension="102")
    _call(exchange, "a", T0, 16, "answered")  # 4 rings: kept
    _call(exchange, "b", T0 + timedelta(minutes=1), 20.0, "answered")  # 4 rings: kept
    _call(exchange, "c", T0 + timedelta(minutes=2), 20.001, "answered")  # 5 rings: broken
    _call(exchange, "d", T0 + timedelta(minutes=3), 8, "abandoned")  # hung up by ring 4: apart
    _call(exchange, "e", T0 + timedelta(minutes=4), 30, "missed")  # rang out: broken
    _call(exchange, "f", T0 + timedelta(minutes=5), 3, "answered", ext="102")  # other team
    # December in Riga (22:10 UTC on 30 November): not November's.
    _call(exchange, "g", T0 + timedelta(minutes=70), 3, "answered")

    as_of = T0 + timedelta(days=2)
    report = compute_report(period=Period.month_of(2026, 11), scope=Scope.everything(), as_of=as_of)
    ring = report.figure("PHONE-RING")
    assert (ring.total.kept, ring.total.broken) == (3, 2)
    measures = measure_day(T0, now=as_of)
    assert (measures.total.within, measures.total.measured) == (3, 5)
    assert ring.splits["channel"]["phone"].kept == 3
    december = compute_report(
        period=Period.month_of(2026, 12), scope=Scope.everything(), as_of=as_of
    )
    assert december.figure("PHONE-RING").total.kept == 1
    # A team's reader: the calls its members answered (an unanswered call has no team).
    team = compute_report(period=Period.month_of(2026, 11), scope=Scope((front.pk,)), as_of=as_of)
    assert (team.figure("PHONE-RING").total.kept, team.figure("PHONE-RING").total.broken) == (2, 1)
