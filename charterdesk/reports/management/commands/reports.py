"""``charterdesk reports cubes`` (count finished days), ``close YYYY-MM``, ``recompute YYYY-MM``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from charterdesk.reports.cubes import cubes_build
from charterdesk.reports.freeze import PeriodError, period_close, period_recompute


class Command(BaseCommand):
    help = "Compliance report: count finished days, close a month, recompute a closed month."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        cubes = sub.add_parser("cubes", help="count the finished days that have no stored cube")
        cubes.add_argument("--since", type=date.fromisoformat, default=None)
        cubes.add_argument("--rebuild", action="store_true")
        close = sub.add_parser("close", help="close a month and freeze its figures")
        close.add_argument("month")
        again = sub.add_parser("recompute", help="count a closed month again, with a reason")
        again.add_argument("month")
        again.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "cubes":
                n = cubes_build(since=options["since"], rebuild=options["rebuild"])
                self.stdout.write(f"{n} days counted")
            elif options["action"] == "close":
                row = period_close(month=options["month"])
                self.stdout.write(f"{row.month} closed")
            else:
                rec = period_recompute(month=options["month"], reason=options["reason"])
                self.stdout.write(f"{rec.period.month} recomputed")
        except PeriodError as exc:
            raise CommandError(str(exc)) from None
