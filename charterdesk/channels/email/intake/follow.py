"""Processing while storing: during a large ``email import`` or ``email fetch`` the command keeps
storing raw messages while a second process turns the stored rows into cases, so the two overlap.

The second process is started fresh (``spawn``) on the command's own database settings (a test
database too) and runs :func:`process_pending` in *follow* mode: when it finds no stored row it
waits a moment and looks again, until the command says storing is over; then it takes whatever is
left (rows are claimed in id order, and a last pass from the start catches any committed out of
order) and sends its counts back.  Rows are committed before the second process can see them, so
nothing changes about what is stored or how it is processed; the processing of a batch is exactly
what ``email process`` does.

Only where it can help and cannot harm: on PostgreSQL (several processes write at once; SQLite
would make them wait for each other), outside a transaction (the other process could not see rows
the command has not committed) and with more than one core.  If the second process fails, the
command processes what is left itself.
"""

from __future__ import annotations

import logging
import multiprocessing
import os

from django.db import connection

from charterdesk.channels.email.intake import follow_child
from charterdesk.channels.email.intake.process import ProcessStats

log = logging.getLogger(__name__)


def can_follow() -> bool:
    """Whether processing may run beside storing here (see the module's text)."""
    return (
        connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and (os.cpu_count() or 1) > 1
    )


class Follower:
    """The second process: :meth:`finish` when storing is over; returns its counts, or None if
    it failed (the caller then processes what is left)."""

    def __init__(self, *, batch_size: int | None = None, workers: int | None = None) -> None:
        context = multiprocessing.get_context("spawn")
        self._done = context.Event()
        self._receive, send = context.Pipe(duplex=False)
        if workers is None:
            workers = 1  # a large backlog by construction: parse beside writing
        self._process = context.Process(
            target=follow_child.run,
            args=(dict(connection.settings_dict), self._done, send, batch_size, workers),
            name="charterdesk-email-process",
        )
        self._process.start()
        send.close()

    def finish(self) -> ProcessStats | None:
        self._done.set()
        stats: ProcessStats | None = None
        try:
            stats = self._receive.recv()
        except EOFError:  # it ended without an answer
            log.error("the processing process failed; processing here instead")
        self._process.join()
        self._receive.close()
        return stats
