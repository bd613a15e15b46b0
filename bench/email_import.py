"""Benchmark: ``charterdesk email import`` of N mixed messages on PostgreSQL, timed as the whole
command (Django start-up included), with its peak memory.

    .venv/bin/python bench/email_import.py --count 10000
    .venv/bin/python bench/email_import.py --count 100000 --size 0.1 --store-only
    .venv/bin/python bench/email_import.py --count 100000 --size 0.1 --process-limit 5000

It writes the corpus with ``bench/email_corpus.py`` (kept under /tmp for the next run), recreates
the database ``cd_bench_email`` (override with --database), migrates it, loads the default
configuration, runs ``/usr/bin/time -v charterdesk email import DIR`` and prints messages/s, peak
RSS, the outcome per state and whether every attachment was kept.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from email_common import CHARTERDESK, counts, fresh_database, report, run_split, timed
from email_corpus import write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--size", type=float, default=1.0)
    parser.add_argument("--mbox", action="store_true", help="import an mbox instead of a Maildir")
    parser.add_argument("--database", default="cd_bench_email")
    parser.add_argument("--workers", type=int, default=None, help="parser processes")
    parser.add_argument(
        "--split",
        action="store_true",
        help="time storing (--no-process) and processing (email process) as two commands",
    )
    parser.add_argument("--store-only", action="store_true", help="time only the storing step")
    parser.add_argument(
        "--process-limit",
        type=int,
        default=None,
        help="after storing everything, time processing only the first N (memory vs mailbox size)",
    )
    parser.add_argument("--batch", type=int, default=None, help="messages per transaction")
    args = parser.parse_args()

    base = Path(f"/tmp/cd-bench-email-{args.count}-{args.size}")
    source = base.with_suffix(".mbox") if args.mbox else base
    manifest_path = source.with_suffix(".manifest.json") if args.mbox else source / "manifest.json"
    if not manifest_path.exists():
        print(f"writing {args.count} messages to {source} …")
        write(args.count, source, mbox=args.mbox, scale=args.size)
    manifest = json.loads(manifest_path.read_text())
    env = fresh_database(args.database)
    env["CHARTERDESK_VAR_DIR"] = str(Path(f"/tmp/cd-bench-email-var-{args.database}"))
    command = [CHARTERDESK, "email", "import", str(source)]
    if args.workers is not None:
        command += ["--workers", str(args.workers)]
    if args.batch is not None:
        command += ["--batch", str(args.batch)]
    if args.process_limit:
        stored, peak_store, _out = timed([*command, "--no-process"], env)
        limit = str(args.process_limit)
        processed, peak, _out = timed([CHARTERDESK, "email", "process", "--limit", limit], env)
        print(
            f"stored {manifest['messages']} in {stored:.1f} s (peak RSS {peak_store} MB); "
            f"processed the first {limit} of them: {args.process_limit / processed:.0f} "
            f"messages/s, peak RSS {peak} MB"
        )
        return
    if args.split or args.store_only:
        run_split(
            command, env, manifest["messages"], store_only=args.store_only, label="store only"
        )
        return
    seconds, peak, output = timed(command, env)
    print(output.strip())
    report("email import", manifest["messages"], seconds, peak, counts(args.database), manifest)


if __name__ == "__main__":
    main()
