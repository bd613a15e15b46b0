"""The cost of live updates in the inbox: 50 open desks polling the view's version.

Run (PostgreSQL on 127.0.0.1:5432, trust auth; ports 8350–8359 are this bench's)::

    .venv/bin/python bench/desk_live.py                       # 40,000 cases, 50 desks, 15 s, 60 s
    .venv/bin/python bench/desk_live.py --desks 50 --interval 15 --seconds 60 --port 8350

The database ``cd_inbox_bench_live`` is dropped, re-created and filled by ``bench/desk_pages.py``'s
generator (50 employees in 5 teams; 7 % of the cases active), the open and waiting cases then
dealt out evenly, so each employee has ~40 at the default 40,000 cases.  gunicorn (2 workers × 4 threads, DEBUG off, kept-alive connections) serves the project.
Each of ``--desks`` employees signs in and keeps its inbox ("mine") open the way
``static/desk/inbox.js`` does: every ``--interval`` seconds (the desks spread evenly over the
interval) it asks ``/inbox/live/?scope=mine`` with the version it shows in ``If-None-Match``;
304 means nothing changed, 200 brings the new list (and version).  Meanwhile a client writes to
one of the open cases every ``--change-every`` seconds (``case_add_message``, as the intake does),
so some polls do find a change.

Two passes in the same run: **with the version** (the design) and **without it** (every poll
renders the list, what polling costs without the 304).  For each: requests per second, the share of
304, the client's time per request, and the server's CPU — gunicorn's processes and the
PostgreSQL backends serving them (from /proc, utime + stime) — per second and per desk.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from desk_pages import SERVER, generate, pct, recreate_database  # noqa: E402

DB = "cd_inbox_bench_live"
TICKS = os.sysconf("SC_CLK_TCK")


class Desk:
    """One employee's browser tab in miniature: cookies, one kept-alive connection, the version."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.version = ""

    def request(
        self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes, dict[str, str]]:
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        sent.update(headers or {})
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body or None, headers=sent)
                response = self.conn.getresponse()
                break
            except (http.client.HTTPException, OSError):
                if attempt:
                    raise
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        data = response.read()
        got = {k.lower(): v for k, v in response.getheaders()}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, data, got

    def sign_in(self, username: str, password: str) -> None:
        status, page, _h = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert status == 200 and token, status
        form = {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "username": username,
            "password": password,
        }
        status, _b, _h = self.request("POST", "/login/", urlencode(form))
        assert status == 302, f"sign-in failed: {status}"

    def poll(self, conditional: bool) -> tuple[int, float]:
        headers = {"If-None-Match": self.version} if conditional and self.version else {}
        t0 = time.perf_counter()
        status, _body, got = self.request("GET", "/inbox/live/?scope=mine", headers=headers)
        elapsed = time.perf_counter() - t0
        assert status in (200, 304), status
        self.version = got.get("etag", self.version)
        return status, elapsed


def _ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


class Cpu:
    """CPU seconds used by gunicorn (master and workers) and by the PostgreSQL backends of the
    bench database other than this script's own."""

    def __init__(self, master: int) -> None:
        self.master = master

    def backends(self) -> list[int]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [DB],
            )
            return [row[0] for row in cursor.fetchall()]

    def sample(self) -> tuple[dict[int, int], dict[int, int]]:
        server = {p: _ticks(p) for p in [self.master, *_children(self.master)]}
        database = {p: _ticks(p) for p in self.backends()}
        return server, database


def _used(before: dict[int, int], after: dict[int, int]) -> float:
    # A process that started meanwhile counts from 0; one that ended is lost (none do here).
    return sum(t - before.get(p, 0) for p, t in after.items()) / TICKS


def start_server(port: int) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        DATABASE_URL=f"{SERVER}/{DB}",
        DEBUG="0",
        CONN_MAX_AGE="600",
        LOG_LEVEL="ERROR",
    )
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--keep-alive",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/login/")
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit(f"the server did not start on port {port}")


def change_loop(stop: threading.Event, every: float, changes: list[int]) -> None:
    from charterdesk.cases.models import Case
    from charterdesk.cases.services import case_add_message

    ids = list(
        Case.objects.filter(status__in=["open", "waiting"], assignee__isnull=False).values_list(
            "pk", flat=True
        )
    )
    rng = random.Random(11)
    while not stop.wait(every):
        case = Case.objects.get(pk=rng.choice(ids))
        case_add_message(
            case=case, direction="in", kind="request", body="Vēl viens jautājums, lūdzu."
        )
        changes.append(case.pk)


def run_pass(
    desks: list[Desk], cpu: Cpu, *, conditional: bool, interval: float, seconds: float, every: float
) -> dict[str, float]:
    for desk in desks:  # the page's first version, as the inbox page renders it
        desk.poll(conditional=False)
    stop = threading.Event()
    results: list[tuple[int, float]] = []
    lock = threading.Lock()
    start = time.monotonic() + 1.0

    def tab(i: int, desk: Desk) -> None:
        due = start + interval * i / len(desks)
        while True:
            pause = due - time.monotonic()
            if pause > 0 and stop.wait(pause):
                return
            if stop.is_set():
                return
            got = desk.poll(conditional)
            with lock:
                results.append(got)
            due += interval

    changes: list[int] = []
    threads = [threading.Thread(target=tab, args=(i, d), daemon=True) for i, d in enumerate(desks)]
    changer = threading.Thread(target=change_loop, args=(stop, every, changes), daemon=True)
    time.sleep(max(0.0, start - time.monotonic() - 0.5))
    server0, db0 = cpu.sample()
    t0 = time.monotonic()
    for thread in threads:
        thread.start()
    changer.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    changer.join()
    elapsed = time.monotonic() - t0
    server1, db1 = cpu.sample()
    server_s, db_s = _used(server0, server1), _used(db0, db1)
    times = [t * 1000 for _s, t in results]
    n = len(desks)
    return {
        "requests": len(results),
        "rps": len(results) / elapsed,
        "not_modified": sum(1 for s, _t in results if s == 304) / max(1, len(results)),
        "p50": statistics.median(times) if times else 0.0,
        "p95": pct(times, 95) if times else 0.0,
        "changes": len(changes),
        "server_cpu": server_s / elapsed,
        "db_cpu": db_s / elapsed,
        "per_desk_pct": 100 * (server_s + db_s) / elapsed / n,
        "cpu_ms_per_request": 1000 * (server_s + db_s) / max(1, len(results)),
        "elapsed": elapsed,
    }


def spread_open_cases() -> None:
    """The generator gives the assigned active cases to a few employees; a desk of the issue has
    about 40: deal them out evenly over the 50 (with each employee's team)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH emp AS (
                SELECT id, team_id, row_number() OVER (ORDER BY id) - 1 AS k,
                       count(*) OVER () AS n FROM directory_employee),
            open AS (
                SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM cases_case
                WHERE status IN ('open', 'waiting') AND assignee_id IS NOT NULL)
            UPDATE cases_case c SET assignee_id = emp.id, team_id = emp.team_id
            FROM open JOIN emp ON emp.k = open.k % emp.n
            WHERE c.id = open.id"""
        )
        cursor.execute("ANALYZE cases_case")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=40_000)
    parser.add_argument("--desks", type=int, default=50)
    parser.add_argument("--interval", type=float, default=15.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--change-every", type=float, default=10.0)
    parser.add_argument("--port", type=int, default=8350)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"{SERVER}/{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    recreate_database(DB)
    t0 = time.perf_counter()
    generate(args.cases)
    spread_open_cases()
    from django.db.models import Count, Max, Min

    from charterdesk.cases.models import Case

    active = Case.objects.filter(status__in=["new", "open", "waiting"]).count()
    per = (
        Case.objects.filter(status__in=["open", "waiting"], assignee__isnull=False)
        .values("assignee")
        .annotate(n=Count("id"))
        .aggregate(low=Min("n"), high=Max("n"))
    )
    print(
        f"generated {args.cases} cases ({active} active; open per employee "
        f"{per['low']}–{per['high']}) in {time.perf_counter() - t0:.0f} s"
    )
    server = start_server(args.port)
    try:
        desks = []
        for i in range(args.desks):
            desk = Desk(args.port)
            desk.sign_in(f"bench{i % 50}", "bench-pass-123")
            desks.append(desk)
        cpu = Cpu(server.pid)
        rows = {}
        for name, conditional in (("with the version (304)", True), ("without it", False)):
            load = os.getloadavg()
            rows[name] = run_pass(
                desks,
                cpu,
                conditional=conditional,
                interval=args.interval,
                seconds=args.seconds,
                every=args.change_every,
            )
            rows[name]["load"] = load[0]
        print(
            f"\n{args.desks} desks, one poll each per {args.interval:g} s, {args.seconds:g} s per "
            f"pass, a client's message every {args.change_every:g} s; "
            f"load average at the start of the passes: "
            + ", ".join(f"{r['load']:.1f}" for r in rows.values())
        )
        print(
            "| pass | requests | req/s | 304 | p50 ms | p95 ms | gunicorn CPU | PostgreSQL CPU "
            "| CPU per desk | CPU ms per request |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, r in rows.items():
            print(
                f"| {name} | {r['requests']:.0f} | {r['rps']:.2f} | {100 * r['not_modified']:.0f} % "
                f"| {r['p50']:.1f} | {r['p95']:.1f} | {100 * r['server_cpu']:.1f} % "
                f"| {100 * r['db_cpu']:.1f} % | {r['per_desk_pct']:.3f} % "
                f"| {r['cpu_ms_per_request']:.1f} |"
            )
        print("(CPU as a share of one core, averaged over the pass.)")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
