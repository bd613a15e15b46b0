"""``charterdesk email …``: taking in e-mail.

charterdesk email import PATH         Maildir, mbox, an .eml file or a folder of them
charterdesk email fetch [--mailbox N] one pass over the IMAP mailboxes
charterdesk email watch [--mailbox N] IDLE/poll every mailbox (and receiver) until stopped
charterdesk email lmtp --port N       an LMTP (or --smtp) receiver on 127.0.0.1:N
charterdesk email process             process what is stored but not processed yet
charterdesk email status              counts per state and quarantine reason
charterdesk email quarantine list|release ID|delete ID
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from charterdesk.channels.email import conf
from charterdesk.channels.email.intake.details import shown
from charterdesk.channels.email.intake.follow import Follower, can_follow
from charterdesk.channels.email.intake.process import ProcessStats, process_pending
from charterdesk.channels.email.intake.quarantine import (
    QuarantineError,
    inbound_delete,
    inbound_release,
)
from charterdesk.channels.email.intake.store import RawMail, store_raw
from charterdesk.channels.email.models import InboundEmail, InboundState, QuarantineReason
from charterdesk.channels.email.transports import load_backends
from charterdesk.channels.email.transports.files import (
    ImportSourceError,
    holds_at_least,
    read_messages,
)

logger = logging.getLogger(__name__)

# Stored-but-unprocessed messages above which `import`/`fetch`/`process` start a parser process,
# and `import`/`fetch` process beside storing in a second process (``intake.follow``).  Below it
# a run starts no process at all: each costs a Django start-up (~0.5 s of CPU), more than the
# overlap saves on a small import.
BULK_BACKLOG = 2000
FOLLOW_FROM = BULK_BACKLOG
# Messages stored per transaction by `import`.
STORE_CHUNK = 500


class Command(BaseCommand):
    help = "Take in e-mail: import files, fetch or watch IMAP, receive LMTP, manage the quarantine."
    # An operational command run by cron and services: the whole project's system checks (which
    # import every URL module and view, ~10 % of a 1,000-mail import's CPU) belong to
    # `charterdesk check --deploy` at deployment, not to every run.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a Maildir, mbox, .eml file or folder")
        imp.add_argument("path")
        imp.add_argument("--no-process", action="store_true", help="only store the raw messages")
        imp.add_argument(
            "--any-name",
            action="store_true",
            help="in a folder, read every file as mail whatever its name (default: .eml, .mbox, "
            "no suffix, and mbox files; the others are listed as skipped)",
        )
        self._processing_options(imp)
        fetch = sub.add_parser("fetch", help="one pass over the IMAP mailboxes")
        fetch.add_argument("--mailbox", default=None)
        fetch.add_argument("--no-process", action="store_true")
        self._processing_options(fetch)
        watch = sub.add_parser("watch", help="watch the mailboxes (IDLE or polling) until stopped")
        watch.add_argument("--mailbox", default=None)
        lmtp = sub.add_parser("lmtp", help="receive mail over LMTP (or SMTP)")
        lmtp.add_argument("--host", default="127.0.0.1")
        lmtp.add_argument("--port", type=int, default=2424)
        lmtp.add_argument("--smtp", action="store_true", help="speak SMTP instead of LMTP")
        proc = sub.add_parser("process", help="process stored messages")
        self._processing_options(proc)
        proc.add_argument("--limit", type=int, default=None, help="process at most N messages")
        sub.add_parser("status", help="counts per state and quarantine reason")
        quarantine = sub.add_parser("quarantine", help="list, release or delete held messages")
        qsub = quarantine.add_subparsers(dest="qaction", required=True)
        qlist = qsub.add_parser("list")
        qlist.add_argument("--reason", default="")
        release = qsub.add_parser("release")
        release.add_argument("id", type=int)
        release.add_argument("--sender", default="", help="address to use if the message has none")
        delete = qsub.add_parser("delete")
        delete.add_argument("id", type=int)

    @staticmethod
    def _processing_options(parser: ArgumentParser) -> None:
        parser.add_argument("--batch", type=int, default=None, help="messages per transaction")
        parser.add_argument("--workers", type=int, default=None, help="parser processes")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        getattr(self, f"do_{action}")(options)

    # --- helpers -------------------------------------------------------------------------------
    def _report(self, stats: ProcessStats, started: float) -> None:
        seconds = max(time.monotonic() - started, 1e-6)
        self.stdout.write(
            _(
                "Processed %(total)s: %(processed)s taken in, %(quarantined)s to quarantine, "
                "%(duplicate)s duplicates (%(rate).0f messages/s)."
            )
            % {
                "total": stats.total,
                "processed": stats.processed,
                "quarantined": stats.quarantined,
                "duplicate": stats.duplicate,
                "rate": stats.total / seconds,
            }
        )
        for reason, count in sorted(stats.by_reason.items()):
            self.stdout.write(f"  {reason}: {count}")

    def _process(self, options: dict[str, Any]) -> None:
        started = time.monotonic()
        workers = options.get("workers")
        if workers is None and conf.parse_workers() == 0 and (os.cpu_count() or 1) > 1:
            # A large backlog: one parser process overlaps parsing with writing (on 2 cores,
            # 10,000 messages: ~600/s instead of ~370/s). Small runs are not worth its start-up.
            backlog = InboundEmail.objects.filter(state=InboundState.STORED).count()
            workers = 1 if backlog > BULK_BACKLOG else 0
        stats = process_pending(
            batch_size=options.get("batch"),
            workers=workers,
            limit=options.get("limit"),
        )
        self._report(stats, started)

    # --- actions -------------------------------------------------------------------------------
    def _follower(self, options: dict[str, Any]) -> Follower | None:
        """The process that processes beside storing (``intake.follow``), where it may run."""
        if options["no_process"] or not can_follow():
            return None
        try:
            return Follower(batch_size=options.get("batch"), workers=options.get("workers"))
        except Exception:  # could not start it: process here after storing, as without one
            logger.exception("the processing process could not be started")
            return None

    def _finish(self, follower: Follower | None, options: dict[str, Any], started: float) -> None:
        """After storing: the follower's counts, or processing here (what is left)."""
        if options["no_process"]:
            return
        stats = follower.finish() if follower is not None else None
        if stats is None:
            self._process(options)
            return
        self._report(stats, started)

    def do_import(self, options: dict[str, Any]) -> None:
        started = time.monotonic()
        new = known = 0
        chunk: list[RawMail] = []
        chunk_bytes = 0
        follower: Follower | None = None
        if holds_at_least(options["path"], FOLLOW_FROM):
            follower = self._follower(options)  # starts while the first messages are stored
        skipped: list[tuple[Path, str]] = []
        try:
            for mail in read_messages(
                options["path"], any_name=options.get("any_name", False), skipped=skipped
            ):
                chunk.append(mail)
                chunk_bytes += len(mail.raw)
                if len(chunk) >= STORE_CHUNK or chunk_bytes > 32 * 1024 * 1024:
                    result = store_raw(chunk)
                    new, known = new + result.new, known + result.known
                    chunk, chunk_bytes = [], 0
                    if follower is None and new + known >= FOLLOW_FROM:  # a large import
                        follower = self._follower(options)
            if chunk:
                result = store_raw(chunk)
                new, known = new + result.new, known + result.known
        except BaseException as exc:
            if follower is not None:  # it finishes what is stored; nothing is left waiting on it
                follower.finish()
            if isinstance(exc, (ImportSourceError, OSError)):
                raise CommandError(str(exc)) from None
            raise
        self.stdout.write(
            ngettext(
                "Stored %(new)s new message from %(path)s (%(known)s were already stored).",
                "Stored %(new)s new messages from %(path)s (%(known)s were already stored).",
                new,
            )
            % {"new": new, "path": options["path"], "known": known}
        )
        self._say_skipped(skipped)
        self._finish(follower, options, started)
        self.stdout.write(_("Done in %(seconds).1f s.") % {"seconds": time.monotonic() - started})

    def _say_skipped(self, skipped: list[tuple[Path, str]]) -> None:
        if not skipped:
            return
        self.stdout.write(
            ngettext(
                "Skipped %(n)s file (read it anyway with --any-name):",
                "Skipped %(n)s files (read them anyway with --any-name):",
                len(skipped),
            )
            % {"n": len(skipped)}
        )
        why = {
            "hidden": _("a hidden file"),
            "name": _("not named .eml or .mbox, and not an mbox file"),
        }
        for path, code in skipped:
            self.stdout.write(f"  {path}: {why.get(code, code)}")

    def do_fetch(self, options: dict[str, Any]) -> None:
        backends = [b for b in load_backends(options["mailbox"]) if hasattr(b, "fetch")]
        if not backends:
            raise CommandError(_("No IMAP mailbox is configured (CHARTERDESK_EMAIL_INTAKE)."))
        started = time.monotonic()
        follower: Follower | None = None
        total = 0

        def stored(count: int) -> None:  # a large fetch: process beside storing
            nonlocal follower, total
            total += count
            if follower is None and total >= FOLLOW_FROM:
                follower = self._follower(options)

        try:
            for backend in backends:
                backend.on_stored = stored
                try:
                    count = backend.fetch()
                except Exception as exc:
                    raise CommandError(f"{backend.name}: {exc}") from None
                self.stdout.write(
                    _("%(mailbox)s: %(count)s new messages stored.")
                    % {"mailbox": backend.name, "count": count}
                )
        except BaseException:
            if follower is not None:  # it finishes what is stored; nothing is left waiting on it
                follower.finish()
            raise
        self._finish(follower, options, started)

    def _run_until_signal(self, backends: list[Any], stop: threading.Event) -> None:
        from charterdesk.channels.email.transports.lmtp import ProcessingThread

        worker = ProcessingThread(lambda: process_pending(workers=0))
        worker.start()
        worker.wake.set()  # whatever was stored before we started
        threads = [
            threading.Thread(target=b.watch, args=(stop, worker.wake.set), name=b.name, daemon=True)
            for b in backends
        ]
        for thread in threads:
            thread.start()

        def finish(_signum: int, _frame: object) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, finish)
        signal.signal(signal.SIGINT, finish)
        while not stop.is_set():
            stop.wait(1.0)
        for thread in threads:
            thread.join(timeout=10)
        worker.stop.set()
        worker.wake.set()
        worker.join(timeout=30)

    def do_watch(self, options: dict[str, Any]) -> None:
        backends = load_backends(options["mailbox"])
        if not backends:
            raise CommandError(_("No mailbox is configured (CHARTERDESK_EMAIL_INTAKE)."))
        self._run_until_signal(backends, threading.Event())

    def do_lmtp(self, options: dict[str, Any]) -> None:
        from charterdesk.channels.email.transports.lmtp import LmtpReceiver

        receiver = LmtpReceiver(
            "lmtp",
            {
                "HOST": options["host"],
                "PORT": options["port"],
                "PROTOCOL": "smtp" if options["smtp"] else "lmtp",
            },
        )
        self.stdout.write(
            _("Receiving %(protocol)s on %(host)s:%(port)s; stop with Ctrl+C.")
            % {
                "protocol": "SMTP" if options["smtp"] else "LMTP",
                "host": options["host"],
                "port": options["port"],
            }
        )
        self.stdout.flush()
        self._run_until_signal([receiver], threading.Event())

    def do_process(self, options: dict[str, Any]) -> None:
        self._process(options)

    def do_status(self, options: dict[str, Any]) -> None:
        rows = InboundEmail.objects.values("state", "reason").annotate(n=Count("id"))
        states, reasons = dict(InboundState.choices), dict(QuarantineReason.choices)
        for row in rows.order_by("state", "reason"):
            label = str(states.get(row["state"], row["state"]))
            if row["reason"]:
                label += f" ({reasons.get(row['reason'], row['reason'])})"
            self.stdout.write(f"{label}: {row['n']}")

    def do_quarantine(self, options: dict[str, Any]) -> None:
        action = options["qaction"]
        if action == "list":
            query = InboundEmail.objects.filter(state=InboundState.QUARANTINED).defer("raw")
            if options["reason"]:
                query = query.filter(reason=options["reason"])
            for row in query.order_by("id"):
                self.stdout.write(
                    f"#{row.pk}\t{timezone.localtime(row.received_at):%Y-%m-%d %H:%M %Z}\t{row.reason}\t"
                    f"{row.sender or '-'}\t{row.subject[:60] or '-'}\t{shown(row.error, row.info)[:120]}"
                )
            return
        try:
            row = InboundEmail.objects.defer("raw").get(pk=options["id"])
        except InboundEmail.DoesNotExist:
            raise CommandError(
                _("There is no received e-mail #%(id)s.") % {"id": options["id"]}
            ) from None
        try:
            if action == "release":
                row = inbound_release(inbound=row, by="cli", sender=options["sender"])
                self.stdout.write(
                    _("E-mail #%(id)s released: now %(state)s %(detail)s")
                    % {
                        "id": row.pk,
                        "state": row.get_state_display(),
                        "detail": row.case.reference if row.case else row.error,
                    }
                )
            else:
                inbound_delete(inbound=row)
                self.stdout.write(_("E-mail #%(id)s deleted.") % {"id": options["id"]})
        except QuarantineError as exc:
            raise CommandError(str(exc)) from None
