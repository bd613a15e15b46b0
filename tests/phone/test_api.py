"""The signed call-event API: idempotent, order-independent, and every refusal a clear 4xx that
stores nothing."""

from __future__ import annotations

import json
import time

import pytest

from charterdesk.channels.phone.models import Call, Callback, CallEvent, CallState
from charterdesk.channels.phone.selectors import call_figures
from charterdesk.channels.phone.signing import HEADER, header_value
from tests.factories import make_client, make_employee
from tests.phone.helpers import SECRET, ev, make_exchange, post_signed

pytestmark = pytest.mark.django_db

T0 = "2026-12-01T10:00:00+02:00"


def _at(seconds: float) -> str:
    return f"{1796112000 + seconds:.3f}"  # 2026-12-01 08:40 UTC, Unix seconds


def _answered_call(call_id: str = "c1") -> list[dict[str, str]]:
    return [
        ev(call_id, "offered", _at(0), caller="+37129123456", line="67774010"),
        ev(call_id, "alerting", _at(2), leg="101", extension="101"),
        ev(call_id, "answered", _at(18.2), leg="101", extension="101"),
        ev(call_id, "ended", _at(100)),
    ]


def _snapshot(call: Call) -> tuple:
    call.refresh_from_db()
    legs = [(leg.leg, leg.alerting_at, leg.answered_at, leg.ended_at) for leg in call.legs.all()]
    return (call.state, call.offered_at, call.first_alert_at, call.answered_at, call.ended_at, legs)


def test_a_call_in_order_gives_its_moments_and_rings(client):
    make_exchange()
    employee = make_employee("Jānis", "Bērziņš", extension="101")
    for event in _answered_call():
        response = post_signed(client, event)
        assert response.status_code == 201, response.content
    call = Call.objects.get()
    assert call.state == CallState.COMPLETED
    assert call.answered_by == employee and call.answered_extension == "101"
    assert call.caller == "+37129123456" and call.line_number == "+37167774010"
    figures = call_figures(call)
    assert figures.ring_seconds == pytest.approx(16.2)
    assert figures.rings == 4 and figures.within is True
    assert figures.queue_seconds == pytest.approx(2.0)


def test_duplicates_change_nothing(client):
    make_exchange()
    for event in _answered_call():
        post_signed(client, event)
    before = _snapshot(Call.objects.get())
    response = post_signed(client, _answered_call()[2])
    assert response.status_code == 200
    assert response.json()["duplicates"] == 1 and response.json()["stored"] == 0
    assert CallEvent.objects.count() == 4
    assert _snapshot(Call.objects.get()) == before


def test_out_of_order_and_late_events_end_in_the_same_call(client):
    make_exchange()
    for event in _answered_call("in-order"):
        post_signed(client, event)
    shuffled = _answered_call("shuffled")
    for event in [shuffled[0], shuffled[3], shuffled[2], shuffled[1]]:
        assert post_signed(client, event).status_code == 201
    a, b = (
        _snapshot(Call.objects.get(external_id="in-order")),
        _snapshot(Call.objects.get(external_id="shuffled")),
    )
    assert a == b
    late = ev("shuffled", "recording", _at(200), recording_url="https://rec.example/r/1.wav")
    assert post_signed(client, late).status_code == 201
    call = Call.objects.get(external_id="shuffled")
    assert call.recordings == ["https://rec.example/r/1.wav"]
    assert call.state == CallState.COMPLETED


def _refused(response, status: int, *words: str) -> dict:
    assert response.status_code == status, response.content
    data = response.json()
    for word in words:
        assert word in data["error"] + " " + data["where"]
    return data


def test_bad_signature_old_timestamp_and_unknown_exchange_store_nothing(client):
    make_exchange()
    event = _answered_call()[0]
    body = json.dumps(event).encode()
    good = header_value("test-pbx", SECRET, body)
    tampered = body.replace(b"29123456", b"29123457")
    r = client.post(
        "/api/v1/phone/events",
        data=tampered,
        content_type="application/json",
        headers={HEADER: good},
    )
    _refused(r, 401, "signature does not match")
    _refused(post_signed(client, event, secret="wrong"), 401, "signature does not match")
    _refused(
        post_signed(client, event, t=int(time.time()) - 3600),
        401,
        "s old",
        "replay window is 300 s",
    )
    _refused(post_signed(client, event, t=int(time.time()) + 900), 401, "in the future")
    _refused(
        post_signed(client, event, exchange="other"), 401, "unknown or inactive exchange 'other'"
    )
    r = client.post("/api/v1/phone/events", data=body, content_type="application/json")
    _refused(r, 401, "header is missing")
    r = client.post(
        "/api/v1/phone/events", data=body, content_type="application/json", headers={HEADER: "t=1"}
    )
    _refused(r, 401, "lacks exchange, v1")
    assert Call.objects.count() == 0 and CallEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "where", "words"),
    [
        (b"{not json", "body", "is not JSON"),
        (b"\xff\xfe", "body", "not UTF-8"),
        (b"[1, 2]", "body", "must be a JSON object"),
        (json.dumps({"event": "offered", "at": "1796112000"}).encode(), "call_id", "is required"),
        (
            json.dumps({"call_id": "x", "event": "exploded", "at": "1796112000"}).encode(),
            "event",
            "unknown event 'exploded'",
        ),
        (
            json.dumps({"call_id": "x", "event": "offered", "at": "2026-12-01T10:00:00"}).encode(),
            "at",
            "has no time zone",
        ),
        (json.dumps({"call_id": "x", "event": "offered"}).encode(), "at", "a moment is required"),
        (
            json.dumps({"call_id": "x", "event": "alerting", "at": "1796112000"}).encode(),
            "leg",
            "names the phone",
        ),
        (
            json.dumps(
                {"call_id": "x", "event": "offered", "at": "1796112000", "colour": "red"}
            ).encode(),
            "body",
            "unknown fields: colour",
        ),
        (
            json.dumps(
                {
                    "events": [
                        {"call_id": "x", "event": "offered", "at": "1796112000"},
                        {"call_id": "y"},
                    ]
                }
            ).encode(),
            "events[1].event",
            "unknown event",
        ),
    ],
)
def test_malformed_bodies_are_400_naming_the_field(client, raw, where, words):
    make_exchange()
    data = _refused(post_signed(client, None, raw=raw), 400, words)
    assert data["where"] == where
    assert Call.objects.count() == 0 and CallEvent.objects.count() == 0


def test_an_unknown_call_id_is_409_and_a_batch_is_all_or_nothing(client):
    make_exchange()
    _refused(
        post_signed(client, ev("ghost", "answered", _at(3), leg="101")),
        409,
        "unknown call id 'ghost'",
    )
    batch = {"events": [_answered_call("c9")[0], ev("ghost", "ended", _at(5))]}
    _refused(post_signed(client, batch), 409, "ghost")
    assert Call.objects.count() == 0 and CallEvent.objects.count() == 0
    ok = post_signed(client, {"events": _answered_call("c9")})
    assert ok.status_code == 201 and ok.json()["stored"] == 4


def test_the_callers_number_is_matched_however_it_is_written(client):
    make_exchange()
    person = make_client(phone="+37129123456")
    for n, written in enumerate(
        ["0037129123456", "29 123 456", "+371 2912-3456", "(+371) 29123456"]
    ):
        post_signed(client, ev(f"m{n}", "offered", _at(n), caller=written, line="+371 67774010"))
    assert set(Call.objects.values_list("client", flat=True)) == {person.pk}
    post_signed(client, ev("anon", "offered", _at(9), caller="anonymous"))
    anon = Call.objects.get(external_id="anon")
    assert anon.caller == "" and anon.client is None


def test_zammads_generic_cti_shape_is_understood(client):
    make_exchange()
    make_employee(extension="102")
    base = {"callId": "z-1", "from": "+37129111222", "to": "+37167774010", "direction": "in"}
    for extra in (
        {"event": "newCall", "user[]": "Anna"},
        {"event": "answer", "answeringNumber": "102"},
        {"event": "hangup", "cause": "normalClearing"},
    ):
        body = "&".join(
            f"{k}={v}".replace("+", "%2B") for k, v in {**base, **extra}.items()
        ).encode()
        r = post_signed(client, None, raw=body, content_type="application/x-www-form-urlencoded")
        assert r.status_code in (200, 201), r.content
    call = Call.objects.get(external_id="z-1")
    assert call.state == CallState.COMPLETED and call.answered_extension == "102"
    assert call.caller == "+37129111222"


def test_a_missed_call_opens_a_callback_case_with_its_timer(client):
    from charterdesk.sla.models import Timer

    make_exchange()
    events = [
        ev("miss", "offered", _at(0), caller="+37129123456", line="67774010"),
        ev("miss", "alerting", _at(1), leg="101"),
        ev("miss", "abandoned", _at(9)),
        ev("miss", "ended", _at(9)),
    ]
    for event in events:
        post_signed(client, event)
    call = Call.objects.get()
    assert call.state == CallState.ABANDONED
    case = call.callback_case
    assert case is not None and case.channel == "phone"
    assert case.messages.get().kind == "call"
    timer = Timer.objects.get(case=case)
    assert timer.commitment_id == "PHONE-ONE-CONTACT"
    callback = Callback.objects.get(case=case)
    assert callback.automatic and callback.due_at == timer.due_at
    # A second delivery of the end does not open a second case.
    post_signed(client, events[3])
    assert Callback.objects.count() == 1


def test_a_batch_of_several_calls_ends_as_the_same_events_sent_one_by_one(client):
    make_exchange()
    make_employee("Jānis", "Bērziņš", extension="101")
    for event in _answered_call("single-a") + _answered_call("single-b"):
        assert post_signed(client, event).status_code == 201
    a, b = _answered_call("batch-a"), _answered_call("batch-b")
    # Interleaved, out of order, and one event twice in the same batch.
    events = [b[3], a[0], b[0], a[2], a[2], b[1], a[3], a[1], b[2]]
    response = post_signed(client, {"events": events})
    assert response.status_code == 201, response.content
    assert response.json()["stored"] == 8 and response.json()["duplicates"] == 1
    for one, batched in (("single-a", "batch-a"), ("single-b", "batch-b")):
        assert _snapshot(Call.objects.get(external_id=one)) == _snapshot(
            Call.objects.get(external_id=batched)
        )
    assert Call.objects.get(external_id="batch-a").answered_by.extension == "101"
    # The same batch again is all duplicates and changes nothing.
    before = _snapshot(Call.objects.get(external_id="batch-b"))
    again = post_signed(client, {"events": events})
    assert again.status_code == 200 and again.json()["duplicates"] == 9
    assert _snapshot(Call.objects.get(external_id="batch-b")) == before
    assert CallEvent.objects.count() == 16


def test_the_wsgi_application_serves_the_api_without_the_site_middleware():
    """``config.wsgi`` sends the signed API through its own short middleware chain: the answer
    has the security headers and a Content-Length (keep-alive), and no session or CSRF work."""
    import io
    import sys

    from django.core import signals
    from django.db import close_old_connections

    from config.wsgi import MachineAPIHandler, application

    make_exchange()

    def call(body: bytes, signature: str) -> tuple[str, dict[str, str], bytes]:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/api/v1/phone/events",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_X_PHONE_SIGNATURE": signature,
        }
        answer: list = []
        # As Django's test client does: the test's transaction must outlive the request.
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            content = b"".join(application(environ, lambda s, h, e=None: answer.append((s, h))))
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
        return answer[0][0], dict(answer[0][1]), content

    body = json.dumps(_answered_call("w1")[0]).encode()
    status, headers, content = call(body, header_value("test-pbx", SECRET, body))
    assert status.startswith("201"), content
    assert headers["Content-Length"] == str(len(content))
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in headers and "Cookie" not in headers.get("Vary", "")
    assert Call.objects.get().external_id == "w1"
    status, _headers, content = call(body, header_value("test-pbx", "wrong", body))
    assert status.startswith("401") and b"signature does not match" in content
    assert [type(m).__name__ for m in _chain(MachineAPIHandler())] == ["SecurityMiddleware"]


def _chain(handler) -> list:
    """The middleware instances of a handler's chain, outermost first."""
    found, current = [], handler._middleware_chain
    while current is not None:
        inner = getattr(current, "__wrapped__", current)
        if hasattr(inner, "get_response"):
            found.append(inner)
            current = inner.get_response
        else:
            current = None
    return found


def test_a_deactivated_exchange_or_a_new_secret_counts_at_once_despite_the_memory(client):
    exchange = make_exchange()
    first, second, third = _answered_call("mem")[:3]
    assert post_signed(client, first).status_code == 201  # the exchange is now remembered
    exchange.secret = "rotated"
    exchange.save()
    _refused(post_signed(client, second), 401, "signature does not match")
    assert post_signed(client, second, secret="rotated").status_code == 201
    exchange.is_active = False
    exchange.save()
    _refused(post_signed(client, third, secret="rotated"), 401, "unknown or inactive exchange")
    assert CallEvent.objects.count() == 2
