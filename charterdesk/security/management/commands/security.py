"""``charterdesk security verify-log`` and ``charterdesk security purge-log``.

``verify-log`` walks the read log's hash chain: exit 0 and the head (row count, last id, head hash —
keep it somewhere else to detect a cut-off tail later), or exit 1 naming the first broken row.
``purge-log`` removes rows older than ``CHARTERDESK_READ_LOG_RETENTION_DAYS`` and leaves a
checkpoint, so ``verify-log`` still passes afterwards.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from charterdesk.security import readlog


class Command(BaseCommand):
    help = "Verify or purge the read log [CONFIDENTIALITY]."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify-log", help="check the read log's hash chain")
        sub.add_parser("purge-log", help="remove rows past the retention period (checkpointed)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify-log":
            verdict = readlog.verify()
            if not verdict.ok:
                raise CommandError(str(verdict), returncode=1)
            self.stdout.write(str(verdict))
            return
        purged = readlog.purge()
        if not purged.rows:
            self.stdout.write(
                f"nothing older than {readlog.retention().days} days; the read log is unchanged"
            )
            return
        self.stdout.write(
            f"removed {purged.rows} rows through row {purged.through_id} (older than "
            f"{readlog.retention().days} days); checkpoint row {purged.checkpoint_id}"
        )
