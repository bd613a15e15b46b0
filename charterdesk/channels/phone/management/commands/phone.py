"""``charterdesk phone …``: the phone channel's commands.

charterdesk phone ami --exchange riga-pbx --host 10.0.0.5 --user charterdesk   # secret from
    CHARTERDESK_AMI_SECRET; runs until stopped, reconnecting
charterdesk phone import-queue-log /var/log/asterisk/queue_log --exchange riga-pbx
"""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from charterdesk.channels.phone.models import Exchange


class Command(BaseCommand):
    help = "Phone channel: the Asterisk AMI listener and the queue_log import."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        ami = sub.add_parser("ami", help="listen to Asterisk's manager interface")
        ami.add_argument("--exchange", required=True)
        ami.add_argument("--host", default="127.0.0.1")
        ami.add_argument("--port", type=int, default=5038)
        ami.add_argument("--user", required=True)
        ami.add_argument("--reconnect", type=int, default=2, help="seconds between reconnects")
        imp = sub.add_parser("import-queue-log", help="import an Asterisk queue_log file")
        imp.add_argument("file")
        imp.add_argument("--exchange", required=True)

    def _exchange(self, name: str) -> Exchange:
        exchange = Exchange.objects.filter(name=name).first()
        if exchange is None:
            known = ", ".join(Exchange.objects.values_list("name", flat=True)) or "none"
            raise CommandError(f"no exchange named {name!r} (known: {known}); add it in the admin")
        return exchange

    def handle(self, *args: Any, **options: Any) -> None:
        exchange = self._exchange(options["exchange"])
        if options["what"] == "import-queue-log":
            from charterdesk.channels.phone.adapters.queue_log import queue_log_import

            try:
                handle = open(options["file"], encoding="utf-8", errors="replace")  # noqa: SIM115
            except OSError as exc:
                raise CommandError(f"{options['file']}: {exc.strerror}") from None
            with handle:
                report = queue_log_import(exchange=exchange, lines=handle)
            for problem in report.problems:
                self.stderr.write(problem)
            self.stdout.write(
                f"{report.lines} lines: {report.stored} events stored, "
                f"{report.duplicates} already known, {len(report.problems)} problems"
            )
            return
        secret = os.environ.get("CHARTERDESK_AMI_SECRET", "")
        if not secret:
            raise CommandError("set CHARTERDESK_AMI_SECRET to the AMI user's secret")
        from charterdesk.channels.phone.adapters.ami import AmiListener

        async def main() -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            listener = AmiListener(
                exchange=exchange,
                host=options["host"],
                port=options["port"],
                username=options["user"],
                secret=secret,
                reconnect_timeout=options["reconnect"],
            )
            counts = await listener.run(stop=stop)
            self.stdout.write(
                f"stopped: {counts.stored} events stored, {counts.duplicates} duplicates, "
                f"{counts.unknown} for unknown calls, {counts.disconnects} disconnects"
            )

        asyncio.run(main())
