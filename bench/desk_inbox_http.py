"""The inbox and search over HTTP at 1,000,000 cases on PostgreSQL, as an employee uses them.

Run (PostgreSQL on 127.0.0.1:5432, trust auth; generating 1M cases takes several minutes)::

    .venv/bin/python bench/desk_inbox_http.py                   # 1M cases into cd_desk_bench
    .venv/bin/python bench/desk_inbox_http.py --reuse           # keep data of the same size
    .venv/bin/python bench/desk_inbox_http.py --cases 100000 --port 8107

The data is ``bench/desk_pages.py``'s generator (90 % closed, 3 % resolved, 7 % active, 30
surnames, so a surname is in ~3 % of cases).  The production server (gunicorn with
``config/gunicorn.conf.py``, DEBUG off) answers on ``--port``; ``--server runserver`` measures
Django's development server instead and ``--server both`` the two side by side (the development
server sends a response's headers and body in two writes without TCP_NODELAY, so Nagle's algorithm
and the client's delayed ACK add up to ~40 ms to each response on a kept-alive connection, and it
opens a database connection per request).  One signed-in employee's session asks each page over a
kept-alive HTTP connection, ``--runs`` times per scenario after a warm-up, and the time is the client's
(request sent to last byte read).  Every scenario is measured twice in the same run: with the
``case_due`` index on (next_due_at, id) that serves "all statuses", and without it (dropped,
then made again), so the difference is not the noise of a shared machine.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from desk_pages import SERVER, case_count, generate, pct, recreate_database  # noqa: E402


class Session:
    """A browser's session in miniature: cookies and one kept-alive connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str = "") -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            self.conn.request(method, path, body=body or None, headers=headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server closed an idle kept-alive connection (gunicorn's keepalive): a browser
            # opens a new one and asks again, so does this.
            self.conn.close()
            self.conn.request(method, path, body=body or None, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def sign_in(self, username: str, password: str) -> None:
        status, page = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert status == 200 and token, status
        form = {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "username": username,
            "password": password,
        }
        status, _ = self.request("POST", "/login/", urlencode(form))
        assert status == 302, f"sign-in failed: {status}"


SERVERS = ("gunicorn", "runserver")


def start_server(
    port: int, database_url: str, pythonpath: str | None = None, kind: str = "gunicorn"
) -> subprocess.Popen[bytes]:
    """The production server (gunicorn with ``config/gunicorn.conf.py``: gthread workers, kept
    database connections, TCP_NODELAY on its sockets), or Django's development server."""
    env = dict(os.environ, DATABASE_URL=database_url, DEBUG="0")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    tree = Path(pythonpath) if pythonpath else ROOT
    if kind == "gunicorn":
        env["CHARTERDESK_BIND"] = f"127.0.0.1:{port}"
        command = ["-m", "gunicorn", "-c", str(tree / "config" / "gunicorn.conf.py"), "config.wsgi"]
    else:
        command = ["-m", "charterdesk", "runserver", "--noreload", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [sys.executable, *command],
        env=env,
        cwd=tree,  # ``-m`` puts the working directory first on the path
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


def scenarios() -> dict[str, list[str]]:
    from django.utils import timezone

    from charterdesk.desk.selectors import InboxFilters, Scope, inbox_page
    from charterdesk.directory.models import Employee, Office, Programme

    employee = Employee.objects.order_by("pk").first()
    programme = Programme.objects.order_by("pk").first()
    office = Office.objects.order_by("pk").first()
    assert employee is not None and programme is not None and office is not None

    def cursors(filters: InboxFilters, pages: int) -> list[str]:
        found, cursor = [], None
        for _ in range(pages):
            page = inbox_page(employee=employee, filters=filters, cursor=cursor, now=timezone.now())
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
            found.append(cursor.encode())
        return found

    all_statuses = cursors(InboxFilters(scope=Scope.ALL, status="all"), 40)
    berzina_page2 = cursors(InboxFilters(scope=Scope.ALL, status="all", query="berzina"), 1)
    return {
        "inbox: mine": ["/?scope=mine"],
        "inbox: my team's": ["/?scope=team"],
        "inbox: a programme's": [f"/?scope=programme&programme={programme.pk}"],
        "inbox: unassigned": ["/?scope=unassigned"],
        "inbox: all active": ["/?scope=all"],
        "inbox: all statuses": ["/?scope=all&status=all"],
        "inbox: all statuses, later pages": [
            f"/?scope=all&status=all&after={c}" for c in all_statuses[::4]
        ],
        "inbox: email, open, an office": [
            f"/?scope=all&channel=email&status=open&office={office.pk}"
        ],
        "inbox: my team's, phone": ["/?scope=team&channel=phone"],
        "inbox: closed": ["/?scope=all&status=closed"],
        "inbox: mine, all statuses": ["/?scope=mine&status=all"],
        "inbox: a programme's, all statuses": [
            f"/?scope=programme&programme={programme.pk}&status=all"
        ],
        "inbox: only breached": ["/?scope=all&breached=on"],
        "inbox: mine, only breached": ["/?scope=mine&breached=on"],
        "search: common surname, active": ["/?scope=all&q=berzina"],
        "search: common surname, all statuses": ["/?scope=all&status=all&q=berzina"],
        "search: common surname, all statuses, page 2": [
            f"/?scope=all&status=all&q=berzina&after={c}" for c in berzina_page2
        ],
        "search: two-word prefix, active": ["/?scope=all&q=berz+gar"],
        "search: two-word prefix, all statuses": ["/?scope=all&status=all&q=berz+gar"],
        "search: name and first name, all statuses": ["/?scope=all&status=all&q=zvaigzne+inese"],
        "search: subject word, active": ["/?scope=all&q=mikrokred"],
        "search: subject word, all statuses": ["/?scope=all&status=all&q=mikrokred"],
        "search: mine, all statuses": ["/?scope=mine&status=all&q=zeme"],
        "search: phone digits": ["/?scope=all&status=all&q=20012345"],
        "search: reference": ["/?scope=all&status=all&q=BEN-2025-0500000"],
    }


def measure(session: Session, plan: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {}
    for name, urls in plan.items():
        for url in urls:
            status, _ = session.request("GET", url)
            assert status == 200, (url, status)
        times = []
        for i in range(runs):
            url = urls[i % len(urls)]
            t = time.perf_counter()
            status, _ = session.request("GET", url)
            times.append((time.perf_counter() - t) * 1000)
            assert status == 200, (url, status)
        results[name] = times
    return results


def set_due_index(database_url: str, present: bool) -> None:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        if present:
            conn.execute("CREATE INDEX IF NOT EXISTS case_due ON cases_case (next_due_at, id)")
        else:
            conn.execute("DROP INDEX IF EXISTS case_due")
        conn.execute("ANALYZE cases_case")


ALL_STATUSES_SQL = "SELECT id FROM cases_case ORDER BY next_due_at ASC NULLS LAST, id ASC LIMIT 51"


def explain_all_statuses(database_url: str) -> dict[bool, str]:
    """The database's own time for the first page of "all statuses", with and without the index
    (the index is dropped inside a transaction that is rolled back)."""
    import psycopg

    found: dict[bool, str] = {}
    with psycopg.connect(database_url) as conn:
        for present in (True, False):
            with conn.transaction(force_rollback=True):
                if not present:
                    conn.execute("DROP INDEX IF EXISTS case_due")
                plan = [
                    row[0]
                    for row in conn.execute(
                        f"EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) {ALL_STATUSES_SQL}"
                    )
                ]
            node = next((line.strip() for line in plan if "Scan" in line), "?")
            total = next((line.strip() for line in plan if "Execution Time" in line), "?")
            found[present] = f"{total} ({node.split('  (')[0]})"
    return found


def compare(
    args: argparse.Namespace,
    database_url: str,
    plan: dict[str, list[str]],
    servers: dict[str, tuple[str | None, str]],
) -> None:
    """Two servers on the same database (label: source tree or None for this one, server kind),
    on ``--port`` and ``--port + 1``, passes alternated (a, b, a, b) so the machine's drift hits
    both alike."""
    labels = list(servers)
    running = {
        label: start_server(args.port + i, database_url, pythonpath=tree, kind=kind)
        for i, (label, (tree, kind)) in enumerate(servers.items())
    }
    figures: dict[str, list[dict[str, list[float]]]] = {label: [] for label in labels}
    try:
        sessions = {}
        for i, label in enumerate(labels):
            sessions[label] = Session(args.port + i)
            sessions[label].sign_in("bench0", "bench-pass-123")
        for label in labels * 2:
            figures[label].append(measure(sessions[label], plan, args.runs // 2))
            print(f"  pass {label} done", flush=True)
    finally:
        for server in running.values():
            server.terminate()
            server.wait(timeout=20)
    load = os.getloadavg()
    print(f"load average after: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
    print(f"\n{args.cases:,} cases over HTTP (ms, client time; {args.runs} requests per scenario)")
    print(f"{'scenario':46}" + "".join(f" {label + ' p50':>18} {'p95':>7}" for label in labels))
    for name in plan:
        row = []
        for label in labels:
            times = [t for run in figures[label] for t in run[name]]
            row.append(f" {statistics.median(times):18.1f} {pct(times, 95):7.1f}")
        print(f"{name:46}" + "".join(row))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--db", default="cd_desk_bench")
    parser.add_argument("--port", type=int, default=8107)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--before-tree",
        help="a source tree of the code before a change (charterdesk/ and config/): measure it "
        "against this tree's on the same data, on --port + 1, instead of with/without case_due",
    )
    parser.add_argument(
        "--server",
        choices=(*SERVERS, "both"),
        default="gunicorn",
        help="the production server (default), Django's development server, or both side by side",
    )
    parser.add_argument("--only", default="", help="measure only the scenarios starting so")
    parser.add_argument(
        "--with-index-only",
        action="store_true",
        help="one pass with case_due (skip the pass without it, minutes at 1,000,000 cases)",
    )
    args = parser.parse_args()
    database_url = f"{SERVER}/{args.db}"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    if not (args.reuse and case_count(args.db) == args.cases):
        print(f"Generating {args.cases:,} cases into {args.db} …", flush=True)
        recreate_database(args.db)
        generate(args.cases)
    connection.close()
    plan = {k: v for k, v in scenarios().items() if k.startswith(args.only)}
    connection.close()
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f}")
    if args.before_tree and args.server == "both":
        parser.error("--before-tree compares one kind of server: --server gunicorn or runserver")
    if args.before_tree:
        compare(
            args,
            database_url,
            plan,
            {"before": (args.before_tree, args.server), "after": (None, args.server)},
        )
        return
    if args.server == "both":
        compare(args, database_url, plan, {kind: (None, kind) for kind in SERVERS})
        return
    server = start_server(args.port, database_url, kind=args.server)
    try:
        session = Session(args.port)
        session.sign_in("bench0", "bench-pass-123")
        figures = {}
        for present in (True,) if args.with_index_only else (True, False, True):
            set_due_index(database_url, present)
            figures.setdefault(present, []).append(measure(session, plan, args.runs))
    finally:
        server.terminate()
        server.wait(timeout=20)
    if args.with_index_only:
        print(
            f"\n{args.cases:,} cases over HTTP (ms, client time; {args.runs} requests per scenario)"
        )
        for name in plan:
            times = figures[True][0][name]
            print(f"{name:42} p50 {statistics.median(times):7.1f}  p95 {pct(times, 95):7.1f}")
        return
    for present, text in explain_all_statuses(database_url).items():
        print(
            f"all statuses, first page, in the database {'with' if present else 'without'} case_due: {text}"
        )
    print(f"\n{args.cases:,} cases over HTTP (ms, client time; {args.runs} requests per scenario)")
    print(f"{'scenario':42} {'p50':>7} {'p95':>7}   {'without case_due: p50':>22} {'p95':>7}")
    for name in plan:
        with_index = [t for run in figures[True] for t in run[name]]
        without = figures[False][0][name]
        print(
            f"{name:42} {statistics.median(with_index):7.1f} {pct(with_index, 95):7.1f}   "
            f"{statistics.median(without):22.1f} {pct(without, 95):7.1f}"
        )


if __name__ == "__main__":
    main()
