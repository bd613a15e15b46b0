"""Due-moment computations per second on one core (target: 100,000/s).

Run:  .venv/bin/python bench/calendar_due.py [--n 200000]

Builds the default calendar (Mon–Fri 08:30–17:00, Latvia's holidays) and times, over random
aware arrival moments in 2025–2026: ``add_working_days(t, 1)`` (EMAIL-REPLY-1BD),
``end_of_working_day(t)`` (EMAIL-ACK), ``add_working_hours(t, 4)`` (PHONE-ONE-CONTACT) and
``working_time_between``.  Each line prints computations per second; one process, one core.
No Django, no database: the pure arithmetic is what the SLA engine calls.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from charterdesk.calendar.business import BusinessCalendar


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="computations per measurement")
    args = parser.parse_args()
    riga = ZoneInfo("Europe/Riga")
    rng = random.Random(42)
    start = datetime(2025, 1, 1, tzinfo=riga)
    moments = [start + timedelta(seconds=rng.randrange(0, 2 * 365 * 86400)) for _ in range(args.n)]
    cal = BusinessCalendar()
    cal.add_working_days(moments[0], 1)  # precompute the years once
    cal.add_working_days(datetime(2026, 12, 31, tzinfo=riga), 1)
    four_hours = timedelta(hours=4)
    cases = [
        ("add_working_days(t, 1)", lambda t: cal.add_working_days(t, 1)),
        ("end_of_working_day(t)", cal.end_of_working_day),
        ("add_working_hours(t, 4h)", lambda t: cal.add_working_hours(t, four_hours)),
        ("is_working(t)", cal.is_working),
    ]
    print(f"{args.n} random arrivals in 2025–2026, Python {sys.version.split()[0]}, one core")
    for name, fn in cases:
        began = time.perf_counter()
        for t in moments:
            fn(t)
        elapsed = time.perf_counter() - began
        print(f"{name:<28} {args.n / elapsed:>12,.0f} /s")
    pairs = list(pairwise(moments))
    began = time.perf_counter()
    for a, b in pairs:
        cal.working_time_between(a, b)
    elapsed = time.perf_counter() - began
    print(f"{'working_time_between(a, b)':<28} {len(pairs) / elapsed:>12,.0f} /s")


if __name__ == "__main__":
    main()
