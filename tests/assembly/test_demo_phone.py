"""The demo has calls: an exchange, two lines, desk phones and a few working days of calls, each made
of exchange events through ``call_events_record`` — answered by the fourth ring, answered late,
missed and abandoned (callback cases of their own), known and unknown callers — and the phone pages
and the compliance report show them."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.utils import timezone

from charterdesk.assembly.demo import load_demo
from charterdesk.assembly.demo_data import CLIENTS
from charterdesk.assembly.demo_phone import DAY, DEMO_EXCHANGE, TODAY, UNKNOWN
from charterdesk.channels.phone.measures import measure_day
from charterdesk.channels.phone.models import (
    Call,
    Callback,
    CallEvent,
    CallSample,
    CallState,
    PhoneLine,
)
from charterdesk.channels.phone.selectors import call_figures, pop_for, ring_rule
from charterdesk.core.validators import format_phone
from charterdesk.directory.models import Employee
from charterdesk.reports.figures import Period, Scope, compliance_report
from charterdesk.sla.models import Timer, TimerStatus
from tests.assembly.conftest import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

DAYS = [date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 30), date(2026, 12, 1)]


def _calls() -> list[Call]:
    return list(
        Call.objects.filter(exchange__name=DEMO_EXCHANGE)
        .select_related("client", "answered_by", "callback_case", "case")
        .order_by("offered_at")
    )


def test_the_demo_calls_are_exchange_events_through_the_service(demo):
    assert PhoneLine.objects.filter(number__in=["+37167774010", "+37167774118"]).count() == 2
    assert set(
        Employee.objects.filter(user__username__in=["anna", "janis", "laura"]).values_list(
            "extension", flat=True
        )
    ) == {"101", "102", "103"}
    calls = _calls()
    assert len(calls) == len(DAY) * len(DAYS) + len(TODAY)
    days = {timezone.localtime(c.offered_at).date() for c in calls}
    assert days == {*DAYS, NOW.date()}
    # Folded from the events the service stored, none written directly.
    for call in calls:
        kinds = set(CallEvent.objects.filter(call=call).values_list("event", flat=True))
        assert {"offered", "alerting", "ended"} <= kinds, call.external_id
        assert call.legs.exists()
    assert not CallEvent.objects.exclude(source="demo").exists()

    rule = ring_rule()
    figures = {c.pk: call_figures(c, rule) for c in calls}
    within = [c for c in calls if figures[c.pk].within is True]
    late = [c for c in calls if figures[c.pk].within is False]
    assert len(within) >= 30 and all(figures[c.pk].rings <= 4 for c in within)
    # Answered on the fifth ring or later, after a first phone rang out (its leg: no_answer).
    assert len(late) == len(DAYS) + 1
    for call in late:
        assert figures[call.pk].rings >= 5 and call.answered_by is not None
        assert call.legs.filter(answered_at__isnull=True, end_reason="timeout").count() == 1
    missed = [c for c in calls if c.state == CallState.MISSED]
    abandoned = [c for c in calls if c.state == CallState.ABANDONED]
    assert len(missed) == len(abandoned) == len(DAYS) + 1
    assert all(figures[c.pk].rings > 4 for c in missed)
    for call in missed + abandoned:
        # The service opened the callback case by itself, from the call's moment.
        case = call.callback_case
        assert case is not None and case.channel == "phone" and case.messages.count() >= 1
        callback = Callback.objects.get(call=call, automatic=True)
        assert callback.promised_at == call.alerting_end
        timer = Timer.objects.get(case=case, commitment_id="PHONE-ONE-CONTACT")
        assert timer.started_at == callback.promised_at and timer.due_at == callback.due_at

    # Callbacks: made on time, one made late, the latest of the past days and today's owed.
    made = list(Callback.objects.filter(made_at__isnull=False))
    assert len([cb for cb in made if cb.kept]) >= 5
    assert len([cb for cb in made if cb.kept is False]) == 1
    owed = Callback.objects.filter(made_at__isnull=True)
    assert {timezone.localtime(cb.promised_at).date() for cb in owed} == {DAYS[-1], NOW.date()}
    for cb in made:
        timer = Timer.objects.get(case=cb.case, commitment_id="PHONE-ONE-CONTACT")
        assert timer.met_at == cb.made_at
    late_timer = Timer.objects.get(
        case=next(cb for cb in made if cb.kept is False).case, commitment_id="PHONE-ONE-CONTACT"
    )
    assert late_timer.status == TimerStatus.BREACHED

    # Known callers are found by their number; unknown ones become clients with the number.
    names = {phone: name for name, _kind, _email, phone, _lang, _needs in CLIENTS if phone}
    for call in calls:
        assert call.caller.startswith("+371") or call.caller == "+4722334455"
        if call.caller in names:
            assert call.client is not None and call.client.name == names[call.caller]
        else:
            assert call.caller in UNKNOWN
            if call.client is not None:
                assert call.client.name == format_phone(call.caller)
    assert {c.caller for c in calls} & set(UNKNOWN)
    # Answered calls have their notes on cases (except today's last, which pops up on Anna's desk).
    noted = [c for c in calls if c.answered_at and c.case_id]
    assert len(noted) == len(within) + len(late) - 1
    pop = pop_for(Employee.objects.get(user__username="anna"), now=NOW)
    assert pop is not None and not pop.ringing and pop.call.note_written_at is None
    assert CallSample.objects.count() == 3

    # Loading again changes nothing.
    before = (Call.objects.count(), CallEvent.objects.count(), Callback.objects.count())
    with time_machine.travel(NOW, tick=False):
        load_demo()
    assert (Call.objects.count(), CallEvent.objects.count(), Callback.objects.count()) == before


def test_the_phone_pages_and_the_report_show_the_demo_calls(demo, client):
    assert client.login(username="anna", password="demo-altum-2026")
    day = DAYS[-1]
    calls = [c for c in _calls() if timezone.localtime(c.offered_at).date() == day]
    with time_machine.travel(NOW, tick=False):
        page = client.get("/phone/", {"day": f"{day:%Y-%m-%d}"}, HTTP_ACCEPT_LANGUAGE="lv")
        html = page.content.decode()
        assert page.status_code == 200
        assert html.count('href="/phone/calls/') == len(DAY) == len(calls)
        # the late call and the missed one are flagged
        assert html.count("pēc 4. signāla") == 2
        late = next(c for c in calls if call_figures(c).within is False)
        call_page = client.get(f"/phone/calls/{late.pk}/", HTTP_ACCEPT_LANGUAGE="lv")
        assert call_page.status_code == 200
        assert call_figures(late).rings_text in call_page.content.decode()
        assert "<td>101</td>" in call_page.content.decode()  # both phones that rang
        assert "<td>102</td>" in call_page.content.decode()
        assert "pēc 4. signāla" in call_page.content.decode()
        missed = next(c for c in calls if c.state == CallState.MISSED)
        call_page = client.get(f"/phone/calls/{missed.pk}/", HTTP_ACCEPT_LANGUAGE="lv")
        assert "pēc 4. signāla" in call_page.content.decode()  # rang out past ring 4
        owed = Callback.objects.filter(made_at__isnull=True).select_related("case")
        callbacks = client.get("/phone/callbacks/", HTTP_ACCEPT_LANGUAGE="lv").content.decode()
        assert all(cb.case.reference in callbacks for cb in owed)
        measures = measure_day(datetime(day.year, day.month, day.day, 12, tzinfo=NOW.tzinfo))
        assert measures.total.offered == len(DAY) and measures.total.within > 0
        assert measures.total.within < measures.total.measured  # the late and the missed call
        page = client.get("/phone/measures/", {"day": f"{day:%Y-%m-%d}"})
        assert f"({measures.total.within}/{measures.total.measured})" in page.content.decode()
        assert '<th scope="row">+371 67 774 010</th>' in page.content.decode()  # the line
        # The compliance report counts the callbacks [PHONE-ONE-CONTACT]: kept, and one late.
        report = compliance_report(period=Period.month_of(2026, 11), scope=Scope.everything())
        one_contact = report.figure("PHONE-ONE-CONTACT").total
        assert one_contact.kept >= 5 and one_contact.broken == 1
        # [PHONE-RING] from the calls, as the phone measures count them.
        november = [
            measure_day(datetime(d.year, d.month, d.day, 12, tzinfo=NOW.tzinfo)) for d in DAYS[:3]
        ]
        ring = report.figure("PHONE-RING").total
        assert ring.kept == sum(m.total.within for m in november) > 0
        assert ring.broken == sum(m.total.measured - m.total.within for m in november) > 0
        client.logout()
        assert client.login(username="laura", password="demo-altum-2026")
        page = client.get("/reports/", {"period": "2026-11"}, HTTP_ACCEPT_LANGUAGE="lv")
        assert page.status_code == 200
        shown = page.context["report"].figure("PHONE-ONE-CONTACT").total
        assert shown.counted >= 1 and "PHONE-ONE-CONTACT" in page.content.decode()
        # [PHONE-RING]'s target in the reader's words (was "ne vairāk kā 4 (rings)")
        assert "ne vēlāk kā pēc 4. signāla" in page.content.decode()
        assert page.context["report"].figure("PHONE-RING").total.kept > 0
        drill = client.get("/reports/PHONE-RING/", {"period": "2026-11"}, HTTP_ACCEPT_LANGUAGE="lv")
        assert drill.status_code == 200 and 'id="from-calls"' in drill.content.decode()
