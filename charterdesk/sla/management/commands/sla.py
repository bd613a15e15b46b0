"""``charterdesk sla sweep [--every SECONDS]`` and ``charterdesk sla recompute``."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from charterdesk.sla import checks, engine


class Command(BaseCommand):
    help = "Commitment timers: run the sweep (once or every N seconds) or re-compute open timers."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sweep = sub.add_parser("sweep", help="check every timer with a pending moment")
        sweep.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="repeat every SECONDS until stopped (e.g. --every 60); default: once",
        )
        sweep.add_argument("--times", type=int, default=0, help="stop after this many sweeps")
        sub.add_parser(
            "recompute", help="re-compute open timers with the current policy and calendars"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "recompute":
            changed = engine.timers_recompute()
            self.stdout.write(f"{changed} open timers changed")
            return
        every = options["every"]
        if every < 0:
            raise CommandError("--every must be a number of seconds >= 0", returncode=2)
        runs = 0
        while True:
            started = time.monotonic()
            checked = checks.sla_sweep()
            runs += 1
            self.stdout.write(
                f"sweep: {checked} timers checked in {time.monotonic() - started:.3f} s"
            )
            if not every or (options["times"] and runs >= options["times"]):
                return
            time.sleep(max(0.0, every - (time.monotonic() - started)))
