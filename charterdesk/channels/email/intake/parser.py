"""Parsing stored rows for intake: in a pool of worker processes, in this process, or in a child
process killed when one message takes too long (``parsing.pool.parse_isolated``)."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from django.db.models import F

from charterdesk.channels.email import conf
from charterdesk.channels.email.models import InboundEmail, InboundState
from charterdesk.channels.email.parsing.pool import (
    START_SECONDS,
    ParseResult,
    init_parser_process,
    parse_batch,
    parse_isolated,
)

log = logging.getLogger(__name__)


def make_pool(workers: int) -> ProcessPoolExecutor | None:
    if workers <= 0:
        return None
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=init_parser_process,
    )


def _parse_items(rows: Sequence[InboundEmail]) -> list[tuple[bytes, str | None, bool]]:
    """What the parser needs per row; a message over the size limit is not parsed at all (unless
    an administrator released it)."""
    limit = conf.max_bytes()
    return [
        (
            bytes(row.raw),
            row.envelope.get("mail_from"),
            row.size > limit and row.released_at is None,
        )
        for row in rows
    ]


class Parser:
    """Parses batches of stored rows: in the worker pool, in this process just before writing,
    or in a child process that can be killed (see the ``process`` module's notes)."""

    def __init__(self, pool: ProcessPoolExecutor | None) -> None:
        self.pool = pool
        self.workers = pool._max_workers if pool is not None else 0  # type: ignore[attr-defined]
        self.fallbacks = conf.fallback_charsets()
        self.seconds = conf.parse_seconds()
        self.counted = False  # the batch of the last ``result`` had its try counted already

    def _isolated(self, rows: Sequence[InboundEmail]) -> Future[list[ParseResult]]:
        done: Future[list[ParseResult]] = Future()
        done.set_result(parse_isolated(_parse_items(rows), self.fallbacks, self.seconds))
        return done

    def submit(self, rows: Sequence[InboundEmail]) -> Future[list[ParseResult]]:
        if any(row.attempts > 0 for row in rows):
            # An earlier try died with the process, perhaps on one of these messages.
            return self._isolated(rows)
        items = _parse_items(rows)
        if self.pool is None:
            if threading.current_thread() is not threading.main_thread():
                return self._isolated(rows)  # no alarm outside the main thread
            # Parsed here, when its result is asked for (just before it is written): the try
            # is counted first, so a crash while parsing is seen by the next run, and that one
            # count is also the one before writing (``counted``).
            return _Later(items)
        # Split over the workers so both cores parse the same batch.
        size = max(1, -(-len(items) // max(1, self.workers)))
        parts = [
            self.pool.submit(parse_batch, items[i : i + size], self.fallbacks, self.seconds)
            for i in range(0, len(items), size)
        ]
        joined: Future[list[ParseResult]] = Future()

        def collect(_f: Future[list[ParseResult]]) -> None:
            if all(p.done() for p in parts) and not joined.done():
                try:
                    joined.set_result([r for p in parts for r in p.result()])
                except Exception as exc:  # a worker died: parsed apart instead (``result``)
                    joined.set_exception(exc)

        for part in parts:
            part.add_done_callback(collect)
        return joined

    def result(
        self, future: Future[list[ParseResult]], rows: Sequence[InboundEmail]
    ) -> list[ParseResult]:
        self.counted = isinstance(future, _Later)
        if isinstance(future, _Later):
            count_try(rows)
            return parse_batch(future.items, self.fallbacks, self.seconds)
        # Each message has its time limit; the batch gets all of theirs (and a start-up).
        timeout = START_SECONDS + self.seconds * len(rows)
        try:
            return future.result(timeout=timeout)
        except Exception:
            log.exception("parser pool failed; parsing this batch in a child process")
            self._restart()
            return parse_isolated(_parse_items(rows), self.fallbacks, self.seconds)

    def _restart(self) -> None:
        """A new pool in place of one that broke or hangs (its workers are killed)."""
        if self.pool is None:
            return
        for process in list(getattr(self.pool, "_processes", {}).values()):
            with contextlib.suppress(Exception):
                process.kill()
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = make_pool(self.workers)


class _Later(Future[list[ParseResult]]):
    """A batch to parse in this process when its result is asked for (``_Parser.result``)."""

    def __init__(self, items: list[tuple[bytes, str | None, bool]]) -> None:
        super().__init__()
        self.items = items


def count_try(rows: Sequence[InboundEmail], by: int = 1) -> None:
    """Count the try first (committed): if the process dies while parsing or writing these rows,
    the next run sees it, parses them apart and writes them one at a time.  The rows in memory
    keep the count they were claimed with."""
    if rows:
        InboundEmail.objects.filter(pk__in=[r.pk for r in rows], state=InboundState.STORED).update(
            attempts=F("attempts") + by
        )
