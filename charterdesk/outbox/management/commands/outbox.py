"""``charterdesk outbox …``: the outbox sweep and the shipped templates.

charterdesk outbox send-pending [--every SECONDS] [--times N] [--lease SECONDS] [--limit N]
    Send every e-mail that is due now: new ones whose task was lost, retries, and ones whose
    worker died while sending (claimed longer ago than the lease; default from settings,
    10 minutes).  Once, or every SECONDS (``--every 60`` next to the workers, as the demo does).
    Safe next to running workers and other sweeps.
charterdesk outbox install-templates [--overwrite]
    Add the shipped answer templates (Latvian, English) that are missing.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from charterdesk.outbox.defaults import install_default_templates
from charterdesk.outbox.services.delivery import outbox_send_pending


class Command(BaseCommand):
    help = "Outgoing e-mail: send what is due (send-pending), install the shipped templates."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send-pending", help="send every e-mail that is due now")
        send.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="repeat every SECONDS until stopped (e.g. --every 60); default: once",
        )
        send.add_argument("--times", type=int, default=0, help="stop after this many sweeps")
        send.add_argument(
            "--lease",
            type=float,
            default=None,
            metavar="SECONDS",
            help="send again a message stuck in 'sending' for longer than this (default: "
            "CHARTERDESK_OUTBOX_LEASE, 600)",
        )
        send.add_argument("--limit", type=int, default=None, help="at most this many per sweep")
        templates = sub.add_parser("install-templates", help="add the shipped answer templates")
        templates.add_argument(
            "--overwrite", action="store_true", help="put the shipped texts back over edited ones"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "install-templates":
            written = install_default_templates(overwrite=options["overwrite"])
            self.stdout.write(f"templates written: {written}")
            return
        every, lease, limit = options["every"], options["lease"], options["limit"]
        if every < 0:
            raise CommandError("--every must be a number of seconds >= 0", returncode=2)
        if lease is not None and lease < 0:
            raise CommandError("--lease must be a number of seconds >= 0", returncode=2)
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1", returncode=2)
        runs = 0
        while True:
            started = time.monotonic()
            counts = outbox_send_pending(
                lease=timedelta(seconds=lease) if lease is not None else None, limit=limit
            )
            runs += 1
            summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "nothing due"
            self.stdout.write(summary)
            if not every or (options["times"] and runs >= options["times"]):
                return
            time.sleep(max(0.0, every - (time.monotonic() - started)))
