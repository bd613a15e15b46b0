"""End to end with real SIP on loopback: SIPp callers dial Kamailio, Kamailio rings SIPp desk
phones and reports every call event to the desk's API over HTTP, signed; the desk derives the rings
from the seconds the phones rang (1 s → 1 ring, 16 s → 4, 21 s → 5)."""

from __future__ import annotations

import re
import time

import pytest

from charterdesk.channels.phone.models import Call, CallState, PhoneLine
from charterdesk.channels.phone.selectors import call_figures
from tests.factories import make_client, make_employee
from tests.phone.helpers import EXCHANGE, SECRET, make_exchange
from tests.phone.telephony import (
    Processes,
    free_udp_port,
    have_telephony,
    kamailio_config,
    sipp,
    start_kamailio,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not have_telephony(), reason="kamailio and sipp are installed by scripts/test"
    ),
]

RING_TIMEOUT_MS = 22_000

# dialled line → (extension, what the phone does, seconds it rings before answering)
CALLS = {
    "67774101": ("101", "phone_answers.xml", 1),
    "67774102": ("102", "phone_answers.xml", 16),
    "67774103": ("103", "phone_answers.xml", 21),
    "67774104": ("104", "phone_never_answers.xml", 0),  # the exchange gives up after 22 s
    "67774105": ("105", "phone_never_answers.xml", 0),  # the caller hangs up after 6 s
}


@pytest.fixture
def exchange_and_phones(live_server, tmp_path):
    make_exchange()
    for line in CALLS:
        PhoneLine.objects.create(
            number=f"+371{line}", name_lv=f"Līnija {line}", records_calls=line == "67774101"
        )
    procs = Processes(tmp_path)
    try:
        phone_ports = {}
        for line, (ext, scenario, seconds) in CALLS.items():
            phone_ports[line] = free_udp_port()
            sipp(
                procs,
                f"phone-{ext}",
                scenario,
                port=phone_ports[line],
                media_port=free_udp_port(),
                pause_ms=seconds * 1000,
            )
        kam_port = free_udp_port()
        config = kamailio_config(
            port=kam_port,
            events_url=live_server.url.replace("localhost", "127.0.0.1") + "/api/v1/phone/events",
            exchange=EXCHANGE,
            secret=SECRET,
            dialplan={line: (ext, phone_ports[line]) for line, (ext, _s, _p) in CALLS.items()},
            ring_timeout_ms=RING_TIMEOUT_MS,
        )
        start_kamailio(procs, config)
        yield procs, kam_port
    finally:
        procs.stop()


def test_rings_the_desk_shows_match_the_seconds_the_phones_rang(exchange_and_phones, client):
    procs, kam_port = exchange_and_phones
    employees = {
        ext: make_employee("Darbinieks", f"Nr{ext}", extension=ext)
        for ext, _s, _p in CALLS.values()
    }
    known = make_client("Jānis Ozols", phone="+37129123456")
    callers = []
    for n, line in enumerate(CALLS):
        caller = "29123456" if n == 0 else f"2912340{n}"
        scenario, pause = (
            ("caller_hangs_up.xml", 6000) if line == "67774105" else ("caller_talks.xml", 0)
        )
        callers.append(
            sipp(
                procs, f"caller-{line}", scenario, target=f"127.0.0.1:{kam_port}", port=free_udp_port(),
                media_port=free_udp_port(), service=line, keys={"caller": caller}, pause_ms=pause,
            )
        )  # fmt: skip
    deadline = time.monotonic() + 90
    for proc in callers:
        proc.wait(timeout=max(deadline - time.monotonic(), 1))
    final = {CallState.COMPLETED, CallState.MISSED, CallState.ABANDONED}
    while time.monotonic() < deadline:
        if (
            Call.objects.count() == len(CALLS)
            and set(Call.objects.values_list("state", flat=True)) <= final
        ):
            break
        time.sleep(0.3)
    logs = procs.log("kamailio")[-4000:]
    assert Call.objects.count() == len(CALLS), logs
    by_line = {
        c.line_number: c for c in Call.objects.select_related("answered_by", "callback_case")
    }
    expected = {
        "+37167774101": (CallState.COMPLETED, 1, True),
        "+37167774102": (CallState.COMPLETED, 4, True),
        "+37167774103": (CallState.COMPLETED, 5, False),
        "+37167774104": (CallState.MISSED, 5, None),
        "+37167774105": (CallState.ABANDONED, 2, None),
    }
    for line, (state, rings, within) in expected.items():
        call = by_line[line]
        figures = call_figures(call)
        assert (call.state, figures.rings, figures.within) == (state, rings, within), (
            line,
            figures,
            logs,
        )
    assert by_line["+37167774101"].answered_by == employees["101"]
    assert by_line["+37167774101"].client == known
    assert by_line["+37167774103"].answered_by == employees["103"]
    # Kamailio stamps an event when a worker takes the message; its workers wait for the desk's
    # answer (http_client is synchronous), so on a loaded machine a stamp may be late by a little.
    assert 19.5 < call_figures(by_line["+37167774103"]).ring_seconds < 25
    # Unanswered calls opened callback cases by themselves; answered ones did not.
    assert by_line["+37167774104"].callback_case is not None
    assert by_line["+37167774105"].callback_case is not None
    assert by_line["+37167774102"].callback_case is None
    # The desk's list of the day's calls shows the same rings, with the seconds.
    client.force_login(employees["101"].user)
    page = client.get("/phone/").content.decode()
    assert re.search(r"1 signāls \(1 sekunde\)", page), page
    assert re.search(r"4 signāli \(1[67] sekundes\)", page), page
    assert re.search(r"5 signāli \((2[01] sekunde|2[0-4] sekundes)\)", page), page
    assert "2 signāli (6 sekundes)" in page or "2 signāli (7 sekundes)" in page, page
    # Every SIPp caller and phone ended its scenario cleanly.
    for proc in callers:
        assert proc.returncode == 0, procs.log("kamailio")[-2000:]
