"""Asterisk adapters: the AMI listener against a recorded AMI stream replayed over TCP with the real
framing (banner, Action: Login, blank-line separated events, a disconnect in the middle), and the
queue_log import."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from charterdesk.channels.phone.adapters.ami import AmiListener
from charterdesk.channels.phone.adapters.asterisk import extension_of
from charterdesk.channels.phone.adapters.queue_log import queue_log_import
from charterdesk.channels.phone.models import Call, CallEvent, CallState
from charterdesk.channels.phone.selectors import call_figures
from tests.factories import make_employee
from tests.phone.helpers import make_exchange

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("interface", "ext"),
    [
        ("PJSIP/101", "101"),
        ("SIP/102-0000002a", "102"),
        ("Local/103@from-queue/n", "103"),
        ("", ""),
    ],
)
def test_extension_of_an_interface(interface, ext):
    assert extension_of(interface) == ext


class ReplayedAsterisk:
    """A TCP server speaking AMI: banner, a Login that must carry the right secret, then the
    recorded events; the first connection is dropped at the marker in the recording."""

    def __init__(self, recording: bytes, secret: str) -> None:
        self.parts = recording.split(b"--- disconnect ---\r\n")
        self.secret = secret
        self.connections = 0
        self.logins: list[str] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        part = self.parts[min(self.connections, len(self.parts) - 1)]
        self.connections += 1
        writer.write(b"Asterisk Call Manager/5.0.1\r\n")
        await writer.drain()
        action = (await reader.readuntil(b"\r\n\r\n")).decode()
        fields = dict(re.findall(r"^([A-Za-z]+): (.*?)\r$", action, re.M))
        self.logins.append(fields.get("Action", ""))
        if fields.get("Action") != "Login" or fields.get("Secret") != self.secret:
            writer.write(
                f"Response: Error\r\nActionID: {fields.get('ActionID', '')}\r\nMessage: Authentication failed\r\n\r\n".encode()
            )
            writer.close()
            return
        writer.write(
            f"Response: Success\r\nActionID: {fields['ActionID']}\r\nMessage: Authentication accepted\r\n\r\n".encode()
        )
        writer.write(b"Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n")
        for block in part.split(b"\r\n\r\n"):
            if block.strip():
                writer.write(block + b"\r\n\r\n")
                await writer.drain()
                await asyncio.sleep(0.02)
        if self.connections == 1:
            writer.close()  # the disconnect in the middle
            return
        try:
            await reader.read()  # stay connected until the listener closes
        finally:
            writer.close()


@pytest.mark.django_db(transaction=True)
def test_the_ami_listener_reconnects_and_records_each_event_once():
    exchange = make_exchange()
    make_employee("Anna", "Bērziņa", extension="101")
    agent = make_employee("Jānis", "Kalniņš", extension="102")
    server = ReplayedAsterisk((DATA / "ami_stream.txt").read_bytes(), secret="ami-secret")

    async def scenario():
        srv = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        port = srv.sockets[0].getsockname()[1]
        stop = asyncio.Event()

        def recorded(counts):
            if counts.stored >= 12:
                stop.set()

        listener = AmiListener(
            exchange=exchange,
            host="127.0.0.1",
            port=port,
            username="charterdesk",
            secret="ami-secret",
            reconnect_timeout=1,
            on_recorded=recorded,
        )
        try:
            counts = await asyncio.wait_for(listener.run(stop=stop), timeout=30)
        finally:
            srv.close()
        return counts

    counts = asyncio.run(scenario())
    assert server.connections == 2 and server.logins == ["Login", "Login"]
    assert counts.logins == 2 and counts.disconnects >= 1
    assert counts.duplicates == 1 and counts.errors == []
    answered = Call.objects.get(external_id="1796112000.1")
    assert answered.state == CallState.COMPLETED and answered.answered_by == agent
    assert (
        answered.queue == "info"
        and answered.caller == "+37129123456"
        and answered.line_number == "+37167774010"
    )
    figures = call_figures(answered)
    # Queue: joined at +0.2 s, first phone rang at +3 s; the caller then heard ringing for 24 s
    # (15 s at 101, 8 s at 102 and the second between) → 5 rings, past the 4th.
    assert figures.queue_seconds == pytest.approx(2.8)
    assert (
        figures.ring_seconds == pytest.approx(24.0)
        and figures.rings == 5
        and figures.within is False
    )
    legs = {leg.extension: leg for leg in answered.legs.all()}
    assert legs["101"].end_reason == "no_answer" and legs["102"].answered_at is not None
    abandoned = Call.objects.get(external_id="1796112030.5")
    assert abandoned.state == CallState.ABANDONED and abandoned.callback_case is not None
    assert abandoned.caller == "+37126000002"
    assert CallEvent.objects.filter(source="ami").count() == 12


@pytest.mark.django_db
def test_queue_log_import_and_reimport(capsys, tmp_path):
    exchange = make_exchange()
    report = queue_log_import(exchange=exchange, lines=(DATA / "queue_log.sample").open())
    assert report.problems == [
        "line 10: line: a queue_log line has at least 5 fields separated by '|'",
        "line 11: call 1796112099.9 has no ENTERQUEUE before it; skipped",
    ]
    calls = {c.external_id: c for c in Call.objects.all()}
    assert set(calls) == {"1796112000.1", "1796112030.5", "1796112050.7"}
    first = calls["1796112000.1"]
    assert first.state == CallState.COMPLETED
    f = call_figures(first)
    # ENTERQUEUE at 0, 101 rang 3–18 s, 102 rang 19–27 s → ringing from 3 to 27 s: 24 s, 5 rings.
    assert (f.queue_seconds, f.ring_seconds, f.rings) == (3.0, 24.0, 5)
    assert calls["1796112030.5"].state == CallState.ABANDONED
    assert call_figures(calls["1796112050.7"]).rings == 1
    # A second import (or the AMI listener having seen the same calls) changes nothing.
    before = CallEvent.objects.count()
    again = queue_log_import(exchange=exchange, lines=(DATA / "queue_log.sample").open())
    assert again.stored == 0 and again.duplicates == report.stored
    assert CallEvent.objects.count() == before
    call_command(
        "phone", "import-queue-log", str(DATA / "queue_log.sample"), "--exchange", exchange.name
    )
    out = capsys.readouterr()
    assert "0 events stored" in out.out and "line 10" in out.err
