"""Cost of the access rules and the read log [CONFIDENTIALITY] on the inbox and the case page, at
1,000,000 cases on PostgreSQL: the same requests with both off and on, in one run, interleaved.

Run (PostgreSQL on 127.0.0.1:5432, trust auth)::

    .venv/bin/python bench/access_pages.py                        # generate 1M cases, then measure
    .venv/bin/python bench/access_pages.py --reuse                # keep data of the same size
    .venv/bin/python bench/access_pages.py --cases 100000 --db cd_bench_access_small

Data: ``bench/desk_pages.py``'s generator (50 employees in 5 teams, 10 programmes, N cases, messages,
events, timers, search documents), then ``migrate`` (the access columns and the read log table).
The signed-in employee is an ordinary one (team 0, two programmes' competence): they see about a
quarter of the cases, the others are filtered out.  One case in 50 is made confidential with a
colleague named on one in 500, so the rule's every branch is exercised.

"Off" is the code with the rules bypassed in-process (the person is treated as the system, and
``log_read`` does nothing); "on" is the code as it runs.  The two alternate request by request
so the loaded machine's drift hits both alike; per scenario p50 and p95 of each, the ratio of
the p50s, and the median of the pairs' own ratios ("pairs": each "on" request over the "off"
request next to it — the steadier figure).
The case pages are cases the employee may see, so both variants render the same pages.

Beside the server time, the CPU time of this process per request (``time.process_time``: Django,
the ORM, the templates, without the database's own time) is printed as p50 off / on: on a machine
shared with others the wall-clock time mostly measures waiting for a core, while the CPU time the
rules add stays the same.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import desk_pages  # noqa: E402  (the generator and the inbox scenarios)

SERVER = desk_pages.SERVER


def prepare(n: int) -> None:
    """Migrate the generated data and mark some cases confidential (idempotent)."""
    import psycopg
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        conn.execute(
            "UPDATE cases_case SET confidential = (id % 50 = 7) WHERE confidential <> (id % 50 = 7)"
        )
        conn.execute(
            "INSERT INTO cases_case_named (case_id, employee_id) "
            "SELECT c.id, (SELECT min(id) FROM directory_employee) + (c.id / 500) % 50 "
            "FROM cases_case c WHERE c.id % 500 = 7 ON CONFLICT DO NOTHING"
        )
        # VACUUM as autovacuum would soon after: the UPDATE above leaves every page of the table
        # not all-visible, and index-only scans (the inbox's counts) would read the rows instead
        # (a capped count 0.4 ms → 7 ms, measured 2026-12-02).
        conn.execute("VACUUM ANALYZE cases_case")
        conn.execute("VACUUM ANALYZE cases_case_named")


@contextlib.contextmanager
def rules_off() -> Iterator[None]:
    import charterdesk.cases.access as access
    import charterdesk.desk.views.case as case_views
    import charterdesk.search.query as search_query
    from charterdesk.security.principal import SYSTEM

    saved = (access.principal_of, case_views.log_read, getattr(search_query, "principal_of", None))
    access.principal_of = lambda who: SYSTEM  # type: ignore[assignment]
    case_views.log_read = lambda **kw: None  # type: ignore[assignment]
    if saved[2] is not None:  # the search documents' access facets (search/0002)
        search_query.principal_of = lambda who: SYSTEM  # type: ignore[attr-defined]
    try:
        yield
    finally:
        access.principal_of, case_views.log_read = saved[:2]
        if saved[2] is not None:
            search_query.principal_of = saved[2]  # type: ignore[attr-defined]


def scenarios(employee, programme, office) -> dict[str, list[str]]:
    return {
        "inbox: mine": ["/?scope=mine"],
        "inbox: my team's": ["/?scope=team"],
        "inbox: a programme's": [f"/?scope=programme&programme={programme.pk}"],
        "inbox: unassigned": ["/?scope=unassigned"],
        "inbox: all active": ["/?scope=all"],
        "inbox: all statuses": ["/?scope=all&status=all"],
        "inbox: email, open, an office": [
            f"/?scope=all&channel=email&status=open&office={office.pk}"
        ],
        "inbox: my team's, phone": ["/?scope=team&channel=phone"],
        "search: surname": ["/?scope=all&q=berzina"],
        "search: subject word": ["/?scope=all&q=mikrokred"],
        "search: surname, all statuses": ["/?scope=all&status=all&q=berzina"],
        "search: two-word prefix, all st.": ["/?scope=all&status=all&q=berz+gar"],
    }


#: CPU time of this process per request, by variant and scenario (filled by ``measure``).
CPU: dict[str, dict[str, list[float]]] = {"off": {}, "on": {}}


def measure(runs: int, rounds: int, seed: int = 11) -> dict[str, dict[str, list[float]]]:
    from django.test import Client

    from charterdesk.cases.access import cases_visible_to
    from charterdesk.directory.models import Employee, Office, Programme

    rng = random.Random(seed)
    employee = Employee.objects.order_by("pk").first()
    assert employee is not None
    programme = Programme.objects.get(pk__in=employee.competences.values("pk"), code="p0")
    office = Office.objects.order_by("pk").first()
    client = Client()
    client.force_login(employee.user)
    visible = list(
        cases_visible_to(employee).filter(pk__lte=1_000_000).values_list("pk", flat=True)[:200_000]
    )
    pages = scenarios(employee, programme, office)
    results: dict[str, dict[str, list[float]]] = {"off": {}, "on": {}}

    def one(variant: str, name: str, url: str) -> None:
        t, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        results[variant].setdefault(name, []).append((time.perf_counter() - t) * 1000)
        CPU[variant].setdefault(name, []).append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200, (variant, url, response.status_code)

    def variant_of(variant: str) -> contextlib.AbstractContextManager[None]:
        return rules_off() if variant == "off" else contextlib.nullcontext()

    # Off and on alternate request by request (the order swapped every other pair), so that a
    # change in the machine's load falls on both alike: the ratio compares pairs taken within
    # milliseconds of each other, not two blocks a minute apart.
    for r in range(rounds):
        case_ids = [rng.choice(visible) for _ in range(runs)]
        for name, urls in pages.items():
            for variant in ("off", "on"):
                with variant_of(variant):
                    client.get(urls[0])  # warm
            for i in range(max(1, runs // 4)):
                for variant in ("off", "on") if (i + r) % 2 == 0 else ("on", "off"):
                    with variant_of(variant):
                        one(variant, name, urls[i % len(urls)])
        for variant in ("off", "on"):
            with variant_of(variant):
                client.get(f"/cases/{case_ids[0]}/")
        for i, pk in enumerate(case_ids):
            for variant in ("off", "on") if (i + r) % 2 == 0 else ("on", "off"):
                with variant_of(variant):
                    one(variant, "case page", f"/cases/{pk}/")
        print(f"  round {r + 1}/{rounds} done", flush=True)
    return results


def paired(off: list[float], on: list[float]) -> float:
    """The median of on/off over the pairs (the i-th "on" beside the i-th "off")."""
    return statistics.median(b / a for a, b in zip(off, on, strict=True))


def report(n: int, results: dict[str, dict[str, list[float]]]) -> None:
    print(f"\n{n:,} cases — server time in ms (Django test client, in-process), off vs on")
    print(
        f"{'scenario':34} {'runs':>5} {'off p50':>8} {'on p50':>8} {'on/off':>7} {'off p95':>8} "
        f"{'on p95':>8} {'cpu off':>8} {'cpu on':>7} {'pairs':>6}"
    )
    inbox = {"off": [], "on": []}  # type: dict[str, list[float]]  (inbox and search)
    cpu = {"off": [], "on": []}  # type: dict[str, list[float]]
    for name in results["off"]:
        off, on = results["off"][name], results["on"][name]
        if name.startswith(("inbox", "search")):
            inbox["off"] += off
            inbox["on"] += on
            cpu["off"] += CPU["off"].get(name, [])
            cpu["on"] += CPU["on"].get(name, [])
        cpu_off, cpu_on = CPU["off"].get(name) or [0.0], CPU["on"].get(name) or [0.0]
        print(
            f"{name:34} {len(on):5d} {statistics.median(off):8.1f} {statistics.median(on):8.1f} "
            f"{statistics.median(on) / statistics.median(off):7.3f} {desk_pages.pct(off, 95):8.1f} "
            f"{desk_pages.pct(on, 95):8.1f} {statistics.median(cpu_off):8.1f} "
            f"{statistics.median(cpu_on):7.1f} {paired(off, on):6.3f}"
        )
    off, on = inbox["off"], inbox["on"]
    print(
        f"{'inbox, all scenarios':34} {len(on):5d} {statistics.median(off):8.1f} "
        f"{statistics.median(on):8.1f} {statistics.median(on) / statistics.median(off):7.3f} "
        f"{desk_pages.pct(off, 95):8.1f} {desk_pages.pct(on, 95):8.1f} "
        f"{statistics.median(cpu['off'] or [0.0]):8.1f} {statistics.median(cpu['on'] or [0.0]):7.1f}"
        f" {paired(off, on):6.3f}"
    )
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--db", default="cd_bench_access")
    parser.add_argument("--runs", type=int, default=40, help="case pages per round and variant")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--reuse", action="store_true", help="keep data already of the same size")
    parser.add_argument(
        "--code",
        help="measure the charterdesk/ and config/ in this directory instead of this tree's "
        "(e.g. `git archive` of the commit before a change), for a before/after in one session",
    )
    args = parser.parse_args()
    if args.code:
        sys.path.insert(0, str(Path(args.code).resolve()))
    os.environ["DATABASE_URL"] = f"{SERVER}/{args.db}"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    if not (args.reuse and desk_pages.case_count(args.db) == args.cases):
        print(f"Generating {args.cases:,} cases into {args.db} …", flush=True)
        desk_pages.recreate_database(args.db)
        desk_pages.generate(args.cases)
    connection.close()
    prepare(args.cases)
    import charterdesk

    print(f"code: {Path(charterdesk.__file__).parent}; load average {os.getloadavg()[0]:.1f}")
    report(args.cases, measure(args.runs, args.rounds))


if __name__ == "__main__":
    main()
