"""``charterdesk search_rebuild``: rebuild every case's search document."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from charterdesk.search.indexing import rebuild


class Command(BaseCommand):
    help = "Rebuild the full-text search documents of all cases (subjects, clients, messages)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--progress", action="store_true", help="print a line per batch")

    def handle(self, *args: Any, **options: Any) -> None:
        count = rebuild(batch_size=options["batch_size"], progress=options["progress"])
        self.stdout.write(f"Indexed {count} cases.")
