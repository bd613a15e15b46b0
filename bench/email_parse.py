"""Benchmark: the pure e-mail parser alone (no database), milliseconds per message, over the
mixed corpus of ``bench/email_corpus.py``; ``--compare`` also times the standard library's
``policy.default`` header objects, which the parser avoided building (see ``_RawHeaders``).

    .venv/bin/python bench/email_parse.py --count 10000 --limit 3000 --compare
"""

from __future__ import annotations

import argparse
import sys
import time
from email import policy
from email.parser import BytesParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from email_corpus import write  # noqa: E402

from charterdesk.channels.email.parsing import message  # noqa: E402


def _time(raws: list[bytes], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for raw in raws:
            message.parse_message(raw)
        best = min(best, time.perf_counter() - started)
    return 1000 * best / len(raws)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="corpus size (its folder)")
    parser.add_argument("--limit", type=int, default=3_000, help="messages parsed")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare", action="store_true")
    args = parser.parse_args()
    source = Path(f"/tmp/cd-bench-email-{args.count}-1.0")
    if not (source / "manifest.json").exists():
        write(args.count, source, mbox=False, scale=1.0)
    files = sorted((source / "cur").iterdir())[: args.limit]
    raws = [f.read_bytes() for f in files]
    print(f"parser: {_time(raws, args.repeat):.3f} ms/message over {len(raws)} messages")
    if args.compare:
        message._PARSER = BytesParser(policy=policy.default)  # type: ignore[assignment]
        print(f"with policy.default header objects: {_time(raws, args.repeat):.3f} ms/message")


if __name__ == "__main__":
    main()
