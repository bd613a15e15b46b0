"""Benchmark: where processing time goes per message (parse, case writing and its listeners, new
clients, claiming and saving rows), on PostgreSQL, each step wrapped with a timer (no profiler):
the CPU time of this process (``time.process_time``), and the wall time of the whole.

    .venv/bin/python bench/email_process_breakdown.py --count 10000 --limit 4000

Recreates ``cd_bench_email`` (override with --database), stores the corpus of
``bench/email_corpus.py`` with ``charterdesk email import --no-process`` and then processes the
first ``--limit`` messages in this process, printing ms per message for each step.
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from email_common import CHARTERDESK, fresh_database  # noqa: E402
from email_corpus import write  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--limit", type=int, default=4_000)
    parser.add_argument("--database", default="cd_bench_email")
    args = parser.parse_args()
    source = Path(f"/tmp/cd-bench-email-{args.count}-1.0")
    if not (source / "manifest.json").exists():
        write(args.count, source, mbox=False, scale=1.0)
    env = fresh_database(args.database)
    env["CHARTERDESK_VAR_DIR"] = f"/tmp/cd-bench-email-var-{args.database}"
    subprocess.run(
        [CHARTERDESK, "email", "import", str(source), "--no-process"], env=env, check=True
    )
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from charterdesk.assembly.route import ROUTE, Step
    from charterdesk.cases import recording
    from charterdesk.channels.email.intake import batching, context, parser, process

    spent: dict[str, float] = collections.defaultdict(float)

    def timed(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*a: Any, **k: Any) -> Any:
            started = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                spent[label] += time.process_time() - started

        return wrapper

    for module, name, label in [
        (parser, "parse_batch", "parsing"),
        (process, "apply_rules", "the rules (queueing)"),
        (process, "BatchContext", "the batch context (look-ups)"),
        (batching, "case_receive_batch", "case_receive_batch incl. listeners"),
        (context, "clients_save_built", "new clients saved"),
        (process, "_claim", "claiming rows"),
        (process, "_save_rows", "saving row state"),
        (parser, "count_try", "counting the try"),
    ]:
        setattr(module, name, timed(label, getattr(module, name)))
    recording.install_route(
        [
            Step(step.name, step.events, timed(f"  route step {step.name}", step.listener))
            for step in ROUTE
        ]
    )
    started, cpu = time.perf_counter(), time.process_time()
    stats = process.process_pending(limit=args.limit, workers=0)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    n = stats.total
    print(
        f"{n} messages in {total:.1f} s = {n / total:.0f}/s; CPU of this process "
        f"{1000 * cpu / n:.3f} ms/message (load average {os.getloadavg()[0]:.2f})"
    )
    for label, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"  {label:45s} {1000 * seconds / n:.3f} ms/message CPU")


if __name__ == "__main__":
    main()
