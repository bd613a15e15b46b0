"""Benchmark: ``charterdesk email fetch`` of N mixed messages from a real Dovecot on PostgreSQL,
timed as the whole command (start-up, IMAP fetch, storing and processing), with its peak memory.

    .venv/bin/python bench/email_imap.py --count 10000

Needs Debian's ``dovecot-imapd`` (``/usr/sbin/dovecot``; the tests' throw-away configuration is
used, on 127.0.0.1 and a free port).  The corpus from ``bench/email_corpus.py`` is written into the
mailbox's Maildir and indexed by the server before the clock starts (a real mailbox is indexed
already).  The database ``cd_bench_email`` (override with --database) is recreated.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from email_common import CHARTERDESK, counts, fresh_database, report, run_split, timed  # noqa: E402
from email_corpus import write  # noqa: E402

from tests.email.dovecot import PASSWORD, USER, Dovecot  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--size", type=float, default=1.0)
    parser.add_argument("--database", default="cd_bench_email")
    parser.add_argument("--workers", type=int, default=None, help="parser processes")
    parser.add_argument(
        "--split",
        action="store_true",
        help="time storing (--no-process) and processing (email process) as two commands",
    )
    parser.add_argument("--store-only", action="store_true", help="time only the storing step")
    args = parser.parse_args()

    source = Path(f"/tmp/cd-bench-email-{args.count}-{args.size}")
    if not (source / "manifest.json").exists():
        print(f"writing {args.count} messages to {source} …")
        write(args.count, source, scale=args.size)
    manifest = json.loads((source / "manifest.json").read_text())

    server = Dovecot()
    try:
        inbox = server.root / "home" / USER / "Maildir"
        for sub in ("cur", "new", "tmp"):
            (inbox / sub).mkdir(parents=True, exist_ok=True)
        for path in sorted((source / "cur").iterdir()):
            shutil.copyfile(path, inbox / "cur" / path.name)
        for dirpath, _dirs, files in os.walk(server.root / "home"):
            os.chown(dirpath, server.mail_uid, server.mail_gid)
            for name in files:
                os.chown(os.path.join(dirpath, name), server.mail_uid, server.mail_gid)
        server.start()
        client = server.client()  # let the server index the mailbox before the clock starts
        client.select("INBOX", readonly=True)
        client.uid("FETCH", "1:*", "(UID RFC822.SIZE)")
        client.logout()

        env = fresh_database(args.database)
        env.update(
            CHARTERDESK_VAR_DIR=f"/tmp/cd-bench-email-var-{args.database}",
            CHARTERDESK_IMAP_HOST="127.0.0.1",
            CHARTERDESK_IMAP_PORT=str(server.port),
            CHARTERDESK_IMAP_SECURITY="none",
            CHARTERDESK_IMAP_USER=USER,
            CHARTERDESK_IMAP_PASSWORD=PASSWORD,
        )
        command = [CHARTERDESK, "email", "fetch"]
        if args.workers is not None:
            command += ["--workers", str(args.workers)]
        if args.split or args.store_only:
            run_split(
                command,
                env,
                manifest["messages"],
                store_only=args.store_only,
                label="fetch+store only",
            )
            return
        seconds, peak, output = timed(command, env)
        print(output.strip())
        report(
            "email fetch (IMAP)",
            manifest["messages"],
            seconds,
            peak,
            counts(args.database),
            manifest,
        )
    finally:
        server.close()


if __name__ == "__main__":
    main()
