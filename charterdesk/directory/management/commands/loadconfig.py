from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from charterdesk.directory.config import DEFAULT_CONFIG, ConfigError, load_config


class Command(BaseCommand):
    help = "Load an institution's configuration (offices, programmes, external institutions) from TOML."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(DEFAULT_CONFIG))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = load_config(Path(options["path"]))
        except ConfigError as exc:
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
