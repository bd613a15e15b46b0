"""The second process of :mod:`.follow`.  This module imports nothing of Django at import time:
a ``spawn`` child imports it before Django is set up."""

from __future__ import annotations

import os
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from typing import Any


def run(
    database: dict[str, Any],
    done: Event,
    results: Connection,
    batch_size: int | None,
    workers: int | None,
) -> None:
    from charterdesk.channels.email.parsing.pool import die_with_parent

    die_with_parent()  # killed with the command: the crash rules of ``process`` apply
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connections

    connections["default"].settings_dict.update(database)
    from charterdesk.channels.email.intake.process import process_pending

    stats = process_pending(
        batch_size=batch_size, workers=workers, follow=lambda: not done.is_set()
    )
    connections.close_all()
    results.send(stats)
    results.close()
