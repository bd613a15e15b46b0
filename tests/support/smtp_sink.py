"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, on a free port, in a thread.

Mail it receives is kept as ``email.message.EmailMessage`` (parsed with ``policy.default``), with
its envelope.  It can be stopped and started again on the same port (an outage), told to refuse
recipients or data with an SMTP code, to stall before answering DATA (the connection dies after
the server has the mail), and to call a hook for each mail (the crash test kills a worker there).

Use the ``smtp_sink`` fixture, which also points Django's e-mail settings at the sink::

    from tests.support.smtp_sink import smtp_sink  # noqa: F401  (in a conftest.py)

    def test_x(smtp_sink):
        ...send...
        [mail] = smtp_sink.wait_for(1)
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    raw: bytes


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self.sink.refuse_recipients:
            return self.sink.refuse_recipients
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        refusal = self.sink._take_data_refusal()
        if refusal:
            return refusal
        raw = bytes(envelope.original_content or envelope.content)
        message = BytesParser(policy=policy.default).parsebytes(raw)
        item = Received(envelope.mail_from, tuple(envelope.rcpt_tos), message, raw)  # type: ignore[arg-type]
        self.sink._store(item)
        stall = self.sink._take_stall()
        if stall:
            await asyncio.sleep(stall)
        return "250 Message accepted for delivery"


class SmtpSink:
    """A throw-away SMTP server collecting what it receives."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.received: list[Received] = []
        self.refuse_recipients = ""  # e.g. "550 5.1.1 No such user"
        self.on_message: Callable[[Received], None] | None = None
        self._data_refusals: list[str] = []
        self._stalls: list[float] = []
        self._lock = threading.Condition()
        self._controller: Controller | None = None

    # --- life -------------------------------------------------------------------------------
    def start(self) -> SmtpSink:
        if self._controller is None:
            controller = Controller(
                _Handler(self), hostname=self.host, port=self.port, ready_timeout=10
            )
            controller.start()
            self._controller = controller
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    # --- behaviour ------------------------------------------------------------------------------
    def refuse_next_data(self, reply: str = "451 4.3.0 Try again later", times: int = 1) -> None:
        with self._lock:
            self._data_refusals.extend([reply] * times)

    def stall_next(self, seconds: float, times: int = 1) -> None:
        """Keep the next mail(s) but answer DATA only after ``seconds`` (the client times out)."""
        with self._lock:
            self._stalls.extend([seconds] * times)

    def _take_data_refusal(self) -> str:
        with self._lock:
            return self._data_refusals.pop(0) if self._data_refusals else ""

    def _take_stall(self) -> float:
        with self._lock:
            return self._stalls.pop(0) if self._stalls else 0.0

    # --- what arrived -------------------------------------------------------------------------
    def _store(self, item: Received) -> None:
        with self._lock:
            self.received.append(item)
            self._lock.notify_all()
        if self.on_message is not None:
            self.on_message(item)

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return [item.message for item in self.received]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """Wait until at least ``count`` mails arrived; return all of them (fails on timeout)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"the SMTP sink received {len(self.received)} mail(s), expected {count}"
                    )
                self._lock.wait(left)
            return [item.message for item in self.received]

    def clear(self) -> None:
        with self._lock:
            self.received.clear()


@pytest.fixture
def smtp_sink(settings: Any) -> Iterator[SmtpSink]:
    """A running SMTP sink with Django's SMTP backend pointed at it."""
    sink = SmtpSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = sink.host
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield sink
    finally:
        sink.stop()
