"""An LMTP (or SMTP) receiver with aiosmtpd, so a mail server can deliver straight to the desk.

The message is stored raw (its own transaction) *before* the receiver answers ``250``; if storing
fails the answer is ``451`` and the mail server keeps the message and retries, so nothing is lost.
Processing happens afterwards in a worker thread, woken by each delivery and every 30 seconds.
Messages larger than ``CHARTERDESK_EMAIL_LMTP_SIZE_CAP`` (default four times the size limit) are
refused at ``DATA`` with ``552`` (the sender gets a bounce); smaller ones over the size limit are
stored and quarantined.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import close_old_connections, connections

from charterdesk.channels.email import conf
from charterdesk.channels.email.intake.store import RawMail, store_raw

log = logging.getLogger(__name__)


def _store(mail: RawMail) -> None:
    close_old_connections()
    store_raw([mail])


class IntakeHandler:
    def __init__(self, *, lmtp: bool, on_stored: Callable[[], None] | None = None) -> None:
        self.lmtp = lmtp
        self.on_stored = on_stored or (lambda: None)
        # One thread stores: it keeps one database connection, closed by close().
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="email-store")

    def close(self) -> None:
        self.executor.submit(connections.close_all).result(timeout=30)
        self.executor.shutdown(wait=True)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        rcpts = [str(r) for r in envelope.rcpt_tos]
        mail = RawMail(
            raw,
            "lmtp" if self.lmtp else "smtp",
            f"peer {session.peer}",
            None,
            {"mail_from": (envelope.mail_from or "").strip().strip("<>"), "rcpt_tos": rcpts},
        )
        try:
            await asyncio.get_running_loop().run_in_executor(self.executor, _store, mail)
        except Exception:
            log.exception("could not store a message from %s", envelope.mail_from)
            answer = "451 4.3.0 Message not stored; try again later"
        else:
            self.on_stored()
            answer = "250 2.0.0 Message stored"
        if self.lmtp:  # LMTP answers once per recipient (RFC 2033)
            return "\r\n".join(answer for _r in rcpts) if rcpts else answer
        return answer


class IntakeController(Controller):
    def __init__(self, handler: IntakeHandler, **kwargs: Any) -> None:
        self.lmtp = handler.lmtp
        cap = int(conf.get("LMTP_SIZE_CAP", 4 * conf.max_bytes()))
        kwargs.setdefault("data_size_limit", cap)
        super().__init__(handler, **kwargs)

    def stop(self, no_assert: bool = False) -> None:
        super().stop(no_assert)
        self.handler.close()

    def factory(self) -> SMTP:
        cls = LMTP if self.lmtp else SMTP
        return cls(self.handler, **self.SMTP_kwargs)


class ProcessingThread(threading.Thread):
    """Processes stored messages whenever woken, and every ``interval`` seconds anyway."""

    def __init__(self, process: Callable[[], object], interval: float = 30.0) -> None:
        super().__init__(name="email-processing", daemon=True)
        self.process = process
        self.interval = interval
        self.wake = threading.Event()
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self.wake.wait(self.interval)
                self.wake.clear()
                if self.stop.is_set():
                    break
                try:
                    close_old_connections()
                    self.process()
                except Exception:  # the next wake-up tries again; the rows stay stored
                    log.exception("processing stored e-mail failed")
        finally:
            connections.close_all()


class LmtpReceiver:
    """A receiver as a backend of ``CHARTERDESK_EMAIL_INTAKE`` (``HOST``, ``PORT``,
    ``PROTOCOL``: ``lmtp`` or ``smtp``), run by ``charterdesk email watch`` beside the mailboxes."""

    def __init__(self, name: str, options: dict[str, Any]) -> None:
        self.name = name
        self.host = str(options.get("HOST", "127.0.0.1"))
        self.port = int(options.get("PORT", 2424))
        self.lmtp = str(options.get("PROTOCOL", "lmtp")).lower() == "lmtp"

    def controller(self, on_stored: Callable[[], None]) -> IntakeController:
        return IntakeController(
            IntakeHandler(lmtp=self.lmtp, on_stored=on_stored), hostname=self.host, port=self.port
        )

    def watch(self, stop: threading.Event, after_store: Callable[[], None]) -> None:
        controller = self.controller(after_store)
        controller.start()
        log.info(
            "%s: receiving %s on %s:%s",
            self.name,
            "LMTP" if self.lmtp else "SMTP",
            self.host,
            self.port,
        )
        try:
            stop.wait()
        finally:
            controller.stop()
