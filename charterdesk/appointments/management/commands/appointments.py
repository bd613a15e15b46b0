"""``charterdesk appointments remind [--every SECONDS]``: send the reminders that are due (what a
stopped worker's deferred tasks missed); each is sent once."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from charterdesk.appointments.reminders import reminders_send_due


class Command(BaseCommand):
    help = "Consultations in person: send due reminders (once or every N seconds)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        remind = sub.add_parser("remind", help="send every reminder that is due and not sent")
        remind.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="repeat every SECONDS until stopped (e.g. --every 60); default: once",
        )
        remind.add_argument("--times", type=int, default=0, help="stop after this many runs")

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["every"]
        if every < 0:
            raise CommandError("--every must be a number of seconds >= 0", returncode=2)
        runs = 0
        while True:
            started = time.monotonic()
            sent = reminders_send_due()
            runs += 1
            self.stdout.write(f"reminders: {sent} sent in {time.monotonic() - started:.3f} s")
            if not every or (options["times"] and runs >= options["times"]):
                return
            time.sleep(max(0.0, every - (time.monotonic() - started)))
