"""The phone in the desk: the pop for the employee whose extension rings, the call note with its
outcome, callbacks, measures and the greeting check — through the views, as an employee uses them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from charterdesk.cases.models import Case, MessageKind
from charterdesk.channels.phone.models import Call, Callback, CallSample, PhoneLine
from charterdesk.channels.phone.payload import CallEventIn
from charterdesk.channels.phone.services import call_event_record
from charterdesk.sla.models import Timer
from tests.factories import make_client, make_employee, make_institution
from tests.phone.helpers import make_exchange

pytestmark = pytest.mark.django_db


def signed_in(employee) -> HttpClient:
    client = HttpClient()
    assert client.login(username=employee.user.username, password="pw-test-123456")
    return client


def _ring(
    exchange,
    call_id: str,
    ext: str,
    *,
    caller: str = "29123456",
    answer: bool = False,
    end: bool = False,
    ago: float = 30,
):
    t0 = timezone.now() - timedelta(seconds=ago)
    events = [
        CallEventIn(call_id, "offered", t0, caller=caller, line="67774010"),
        CallEventIn(call_id, "alerting", t0 + timedelta(seconds=1), leg=ext, extension=ext),
    ]
    if answer:
        events.append(
            CallEventIn(call_id, "answered", t0 + timedelta(seconds=8), leg=ext, extension=ext)
        )
    if end:
        events.append(CallEventIn(call_id, "ended", t0 + timedelta(seconds=20)))
    for e in events:
        call_event_record(exchange=exchange, event=e)
    return Call.objects.get(external_id=call_id)


@pytest.fixture
def desk():
    make_institution()
    PhoneLine.objects.create(
        number="+37167774010",
        name_lv="Informatīvais tālrunis",
        name_en="General line",
        records_calls=True,
    )
    anna = make_employee("Anna", "Bērziņa", extension="101")
    janis = make_employee("Jānis", "Kalniņš", extension="102")
    ilze = make_client("Ilze Bērziņa", phone="+37129123456", language="en")
    return make_exchange(), anna, janis, ilze


def test_the_call_pops_up_only_for_the_employee_whose_extension_rings(desk):
    exchange, anna, janis, _ilze = desk
    _ring(exchange, "c1", "101", caller="+371 29 123 456")
    page = signed_in(anna).get("/phone/pop/")
    text = page.content.decode()
    assert page.status_code == 200 and "Ilze Bērziņa" in text and "+371 29 123 456" in text
    # The greeting in the caller's language (English), with the employee's name; the line records.
    assert "Good day! ALTUM, Anna Bērziņa speaking." in text
    assert "may be recorded" in text or "var tikt ierakstīta" in text
    assert "Ilze" not in signed_in(janis).get("/phone/pop/").content.decode()
    # Polling again with the same state: nothing to swap.
    state = text.split("have=")[1].split('"')[0]
    from urllib.parse import unquote

    assert signed_in(anna).get("/phone/pop/", {"have": unquote(state)}).status_code == 204


def test_a_latvian_caller_gets_the_latvian_greeting(desk):
    exchange, anna, _j, _i = desk
    make_client("Pēteris Liepa", phone="+37126000001")
    _ring(exchange, "c2", "101", caller="26000001")
    text = signed_in(anna).get("/phone/pop/").content.decode()
    assert "Labdien! ALTUM, runā Anna Bērziņa." in text


def test_the_call_note_answered_on_the_call_resolves_a_new_case(desk):
    exchange, anna, _j, ilze = desk
    call = _ring(exchange, "c3", "101", answer=True, end=True)
    client = signed_in(anna)
    page = client.get(f"/phone/calls/{call.pk}/")
    assert page.status_code == 200
    assert "2 signāli (7 sekundes)" in page.content.decode()  # rang from +1 s to +8 s
    response = client.post(
        f"/phone/calls/{call.pk}/",
        {
            "case": "new",
            "subject": "Par garantiju",
            "body": "Jautāja par termiņu; atbildēju.",
            "outcome": "answered",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get(subject="Par garantiju")
    assert case.client == ilze and case.status == "resolved" and case.channel == "phone"
    message = case.messages.get(kind=MessageKind.CALL)
    assert message.body.startswith("Jautāja") and message.meta["call"] == call.pk
    call.refresh_from_db()
    assert call.case == case and call.note_written_at is not None
    # Once written, the call no longer pops up.
    assert "phone-pop-title" not in client.get("/phone/pop/").content.decode()


def test_the_callback_promise_opens_a_timer_and_is_refused_past_the_standard(desk):
    exchange, anna, _j, _ilze = desk
    call = _ring(exchange, "c4", "101", answer=True)
    client = signed_in(anna)
    too_late = timezone.localtime() + timedelta(days=30)
    r = client.post(
        f"/phone/calls/{call.pk}/",
        {
            "case": "new",
            "subject": "Atzvanīt",
            "body": "Jāprecizē.",
            "outcome": "callback",
            "callback_by": too_late.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert r.status_code == 400 and Case.objects.filter(subject="Atzvanīt").count() == 0
    r = client.post(
        f"/phone/calls/{call.pk}/",
        {"case": "new", "subject": "Atzvanīt", "body": "Jāprecizē.", "outcome": "callback"},
    )
    assert r.status_code == 400
    from charterdesk.channels.phone.services import callback_latest

    by = timezone.localtime(callback_latest()) - timedelta(minutes=5)
    r = client.post(
        f"/phone/calls/{call.pk}/",
        {
            "case": "new",
            "subject": "Atzvanīt",
            "body": "Jāprecizē.",
            "outcome": "callback",
            "callback_by": by.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert r.status_code == 302
    case = Case.objects.get(subject="Atzvanīt")
    assert case.status == "open"
    assert Timer.objects.filter(case=case, commitment_id="PHONE-ONE-CONTACT").exists()
    callback = Callback.objects.get(case=case)
    assert timezone.localtime(callback.due_at).strftime("%H:%M") == by.strftime("%H:%M")
    # The callback is made from the callbacks page.
    page = client.get("/phone/callbacks/")
    assert case.reference in page.content.decode()
    r = client.post("/phone/callbacks/", {"callback": callback.pk, f"cb{callback.pk}-note": ""})
    assert r.status_code == 400
    r = client.post(
        "/phone/callbacks/",
        {"callback": callback.pk, f"cb{callback.pk}-note": "Atzvanīju, atbildēju."},
    )
    assert r.status_code == 302
    callback.refresh_from_db()
    assert callback.kept is True
    timer = Timer.objects.get(case=case, commitment_id="PHONE-ONE-CONTACT")
    assert timer.met_at is not None and timer.status == "met"


def test_calls_measures_and_sampling_pages(desk):
    exchange, _anna, janis, _i = desk
    answered = _ring(exchange, "c5", "101", answer=True, end=True)
    _ring(exchange, "c6", "102", caller="26000002", end=True)
    client = signed_in(janis)
    calls = client.get("/phone/").content.decode()
    assert "+371 29 123 456" in calls and "Anna Bērziņa" in calls
    measures = client.get("/phone/measures/").content.decode()
    assert "Līdz 4. signālam" in measures or "By ring 4" in measures
    assert "100,0 %" in measures  # 1 of 1 measured calls answered by the 4th ring
    r = client.post(
        "/phone/sampling/",
        {
            "call": answered.pk,
            f"s{answered.pk}-greeting_given": "1",
            f"s{answered.pk}-answer_complete": "0",
        },
    )
    assert r.status_code == 302
    sample = CallSample.objects.get()
    assert sample.greeting_given and not sample.answer_complete and sample.by == janis


def test_a_call_note_on_the_callers_email_case_is_a_phone_message_and_starts_no_email_timer(desk):
    """The caller rings about a case that came by e-mail: the note joins that case as what was
    said on the phone, so no e-mail commitment ([EMAIL-ACK], [EMAIL-REPLY-1BD]) starts from it."""
    from charterdesk.cases.services import case_open

    exchange, anna, _j, ilze = desk
    case = case_open(client=ilze, channel="email", subject="Par aizdevumu")
    timers_before = set(Timer.objects.filter(case=case).values_list("pk", flat=True))
    call = _ring(exchange, "c9", "101", answer=True, end=True)
    response = signed_in(anna).post(
        f"/phone/calls/{call.pk}/",
        {"case": str(case.pk), "body": "Pateicu termiņu.", "outcome": "answered"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    message = case.messages.get(kind=MessageKind.CALL)
    assert message.channel == "phone"
    new = Timer.objects.filter(case=case).exclude(pk__in=timers_before)
    assert not new.filter(commitment_id__startswith="EMAIL").exists(), list(
        new.values_list("commitment_id", flat=True)
    )
