"""``charterdesk outbox …``: the outbox sweep and the shipped templates.

charterdesk outbox send-pending [--lease SECONDS] [--limit N]
    Send every e-mail that is due now: new ones whose task was lost, retries, and ones whose
    worker died while sending (claimed longer ago than the lease; default from settings,
    10 minutes).  Run it from cron every few minutes; it is safe next to running workers.
charterdesk outbox install-templates [--overwrite]
    Add the shipped answer templates (Latvian, English) that are missing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from charterdesk.outbox.defaults import install_default_templates
from charterdesk.outbox.services.delivery import outbox_send_pending


class Command(BaseCommand):
    help = "Outgoing e-mail: send what is due (send-pending), install the shipped templates."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send-pending", help="send every e-mail that is due now")
        send.add_argument(
            "--lease",
            type=float,
            default=None,
            help="seconds after which a message stuck in 'sending' is sent again",
        )
        send.add_argument("--limit", type=int, default=None, help="at most this many messages")
        templates = sub.add_parser("install-templates", help="add the shipped answer templates")
        templates.add_argument(
            "--overwrite", action="store_true", help="put the shipped texts back over edited ones"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "send-pending":
            lease = timedelta(seconds=options["lease"]) if options["lease"] is not None else None
            counts = outbox_send_pending(lease=lease, limit=options["limit"])
            summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "nothing due"
            self.stdout.write(summary)
        else:
            written = install_default_templates(overwrite=options["overwrite"])
            self.stdout.write(f"templates written: {written}")
