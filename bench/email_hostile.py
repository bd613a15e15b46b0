"""Benchmark: parse time of the hostile messages of issue 13 (``tests/email/hostile.py``), each
at the size the issue names (or one large mail reaches), and at half of it (time for twice the
input: linear is ~2x, quadratic 4x).  The figure to hold: under 1 s each.

``--compare`` also times what the parser used before on the two messages the issue measured
(the standard library's ``html.parser`` for the HTML-to-text step, ``email.header.decode_header``
for the subject) at a quarter and a half of their sizes, so the growth shows without waiting
minutes.

    .venv/bin/python bench/email_hostile.py
    .venv/bin/python bench/email_hostile.py --compare
"""

from __future__ import annotations

import argparse
import email.header
import sys
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from charterdesk.channels.email.parsing import parse_message  # noqa: E402
from tests.email.hostile import HOSTILE  # noqa: E402


def best(make: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        make()
        times.append(time.perf_counter() - started)
    return min(times)


class _OldTextExtractor(HTMLParser):
    """What ``parsing/html.py`` used before (the standard library's parser)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def old_html_to_text(html: str) -> str:
    parser = _OldTextExtractor()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare", action="store_true")
    args = parser.parse_args()
    print(f"{'message':28} {'size':>16} {'bytes':>10} {'half':>8} {'full':>8} {'ratio':>6}")
    worst = 0.0
    for name, (build, size, unit) in HOSTILE.items():
        half_raw, full_raw = build(size // 2), build(size)
        half = best(lambda r=half_raw: parse_message(r), args.repeat)
        full = best(lambda r=full_raw: parse_message(r), args.repeat)
        worst = max(worst, full)
        print(
            f"{name:28} {size:>9,} {unit:6} {len(full_raw):>10,} {half:>7.3f}s {full:>7.3f}s "
            f"{full / max(half, 1e-6):>6.2f}"
        )
    print(f"slowest: {worst:.3f} s ({'under' if worst < 1 else 'NOT under'} 1 s)")
    if args.compare:
        print("\nbefore (the standard library's parts alone):")
        for label, make, size in (
            ("html.parser, </ repeated", lambda n: old_html_to_text("</" * (n // 2)), 400_000),
            (
                "decode_header, encoded words",
                lambda n: email.header.decode_header(" ".join(["=?utf-8?q?a?="] * n)),
                200_000,
            ),
        ):
            quarter = best(lambda m=make, s=size: m(s // 8), 1)
            half = best(lambda m=make, s=size: m(s // 4), 1)
            print(
                f"{label:32} {size // 8:>7,}: {quarter:7.2f}s  {size // 4:>7,}: {half:7.2f}s  "
                f"ratio {half / max(quarter, 1e-6):.2f} (at {size:,}: ~{half * 16:.0f} s)"
            )


if __name__ == "__main__":
    main()
