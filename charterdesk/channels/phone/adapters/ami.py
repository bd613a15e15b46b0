"""``charterdesk phone ami``: a long-running Asterisk Manager Interface listener (panoramisk).

It logs in, turns queue events into call events (``asterisk.from_ami``) and records them in
arrival order through ``call_event_record`` — one worker thread, so the events of one call keep
their order.  A lost connection is retried every ``reconnect_timeout`` seconds by panoramisk, and
what Asterisk sends again after a reconnect is recorded once (events are idempotent).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.db import close_old_connections, connections
from django.utils import timezone

from charterdesk.channels.phone.adapters.asterisk import from_ami
from charterdesk.channels.phone.models import Exchange

log = logging.getLogger("charterdesk.phone.ami")


@dataclass
class Counts:
    events: int = 0
    stored: int = 0
    duplicates: int = 0
    unknown: int = 0
    logins: int = 0
    disconnects: int = 0
    errors: list[str] = field(default_factory=list)


def _record(exchange_id: int, message: dict[str, str], counts: Counts) -> None:
    from charterdesk.channels.phone.services import UnknownCall, call_event_record

    close_old_connections()
    exchange = Exchange.objects.get(pk=exchange_id)
    for event in from_ami(message, now=timezone.now()):
        counts.events += 1
        try:
            result = call_event_record(exchange=exchange, event=event, source="ami")
        except UnknownCall as exc:
            # Joined before we connected: nothing to attach it to (queue_log import fills it in).
            counts.unknown += 1
            log.info("%s", exc)
            continue
        if result.stored:
            counts.stored += 1
        else:
            counts.duplicates += 1


class AmiListener:
    def __init__(
        self,
        *,
        exchange: Exchange,
        host: str,
        port: int,
        username: str,
        secret: str,
        reconnect_timeout: int = 2,
        on_recorded: Callable[[Counts], None] | None = None,
    ) -> None:
        from panoramisk import Manager

        self.exchange_id = exchange.pk
        self.counts = Counts()
        self.on_recorded = on_recorded
        self.queue: asyncio.Queue[dict[str, str]] = asyncio.Queue()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ami-record")
        self.manager = Manager(
            host=host,
            port=port,
            username=username,
            secret=secret,
            events="on",
            ping_delay=30,
            ping_interval=30,
            reconnect_timeout=reconnect_timeout,
            on_login=self._logged_in,
            on_disconnect=self._disconnected,
        )
        self.manager.register_event("*", self._event)

    def _logged_in(self, _manager: Any) -> None:
        self.counts.logins += 1
        log.info("AMI login accepted")

    def _disconnected(self, _manager: Any, exc: Exception | None) -> None:
        self.counts.disconnects += 1
        log.warning("AMI connection lost (%s); reconnecting", exc)

    def _event(self, _manager: Any, message: Any) -> None:
        self.queue.put_nowait({str(k): str(v) for k, v in dict(message).items()})

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            message = await self.queue.get()
            try:
                await loop.run_in_executor(
                    self.executor, _record, self.exchange_id, message, self.counts
                )
            except Exception as exc:  # a bad event must not stop the listener
                log.exception("could not record %s", message.get("Event"))
                self.counts.errors.append(f"{message.get('Event')}: {exc}")
            if self.on_recorded:
                self.on_recorded(self.counts)
            self.queue.task_done()

    async def run(self, *, stop: asyncio.Event | None = None) -> Counts:
        self.manager.loop = asyncio.get_running_loop()
        self.manager.connect()
        drain = asyncio.create_task(self._drain())
        try:
            await (stop or asyncio.Event()).wait()
            await self.queue.join()
        finally:
            drain.cancel()
            self.manager.close()
            # The recording thread's database connection closes with it.
            await asyncio.get_running_loop().run_in_executor(self.executor, connections.close_all)
            self.executor.shutdown(wait=True)
        return self.counts
