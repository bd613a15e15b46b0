"""Call events through the signed API on PostgreSQL with two worker processes (target: at least
1,000 events/s, p99 under 50 ms, nothing lost or doubled when a worker is killed mid-run).

Run:  .venv/bin/python bench/phone_events.py [--url postgres://postgres@127.0.0.1:5432/cd_bench_phone]
          [--calls 3000] [--clients 6] [--batch 1] [--kill]

The bench database is dropped and re-created and migrated.  gunicorn serves the project with two
sync worker processes (persistent database connections) on a free loopback port.  ``--clients``
threads play exchanges: each sends its calls' events (offered, alerting, answered, ended: four per
call) in order, each request signed, ``--batch`` events per request (1: one event per request, as
Kamailio sends them), keeping its HTTP connection open.  A request that fails (connection reset,
5xx) is sent again, as an exchange must; the API is idempotent, so a retry never doubles an event.

``--kill``: half way through, one gunicorn worker is killed with SIGKILL (gunicorn starts another).
At the end the script counts the stored events in the database: every one of calls × 4 must be
there exactly once.  Prints events/s, requests/s, the latency percentiles per request, retries.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SECRET = "bench-secret"


def recreate(url: str) -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call_events(n: int, t0: float) -> list[dict[str, str]]:
    cid = f"bench-{n}"
    ext = str(100 + n % 20)
    return [
        {"call_id": cid, "event": "offered", "at": f"{t0:.3f}", "caller": f"2{n % 10_000_000:07d}", "line": "67774010"},
        {"call_id": cid, "event": "alerting", "at": f"{t0 + 2:.3f}", "leg": ext},
        {"call_id": cid, "event": "answered", "at": f"{t0 + 9:.3f}", "leg": ext},
        {"call_id": cid, "event": "ended", "at": f"{t0 + 60:.3f}"},
    ]  # fmt: skip


class Client(threading.Thread):
    def __init__(self, port: int, calls: list[int], batch: int, t0: float, done: list[int]) -> None:
        super().__init__(daemon=True)
        self.port, self.calls, self.batch, self.t0, self.done = port, calls, batch, t0, done
        self.latencies: list[float] = []
        self.retries = 0
        self.errors: list[str] = []
        self.conn: http.client.HTTPConnection | None = None

    def post(self, body: bytes) -> None:
        from charterdesk.channels.phone.signing import HEADER, header_value

        for _attempt in range(50):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                started = time.perf_counter()
                self.conn.request(
                    "POST",
                    "/api/v1/phone/events",
                    body=body,
                    headers={
                        "Content-Type": "application/json",
                        HEADER: header_value("bench", SECRET, body),
                    },
                )
                response = self.conn.getresponse()
                response.read()
                elapsed = (time.perf_counter() - started) * 1000
                if response.status in (200, 201):
                    self.latencies.append(elapsed)
                    return
                if response.status < 500:
                    self.errors.append(f"{response.status}")
                    return
            except (OSError, http.client.HTTPException):
                pass
            self.retries += 1
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            time.sleep(0.05)
        self.errors.append("gave up after 50 attempts")

    def run(self) -> None:
        pending: list[dict[str, str]] = []
        for n in self.calls:
            for event in call_events(n, self.t0 + n):
                pending.append(event)
                if len(pending) >= self.batch:
                    self.send(pending)
                    pending = []
            self.done[0] += 1
        if pending:
            self.send(pending)

    def send(self, events: list[dict[str, str]]) -> None:
        payload: object = events[0] if len(events) == 1 else {"events": events}
        self.post(json.dumps(payload).encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgres://postgres@127.0.0.1:5432/cd_bench_phone")
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--kill", action="store_true")
    args = parser.parse_args()
    recreate(args.url)
    env = dict(
        os.environ,
        DATABASE_URL=args.url,
        DJANGO_SETTINGS_MODULE="config.settings",
        CONN_MAX_AGE="600",
        DEBUG="",
        LOG_LEVEL="ERROR",
    )
    os.environ.update(env)
    subprocess.run(
        [sys.executable, "-m", "charterdesk", "migrate", "-v", "0"], cwd=REPO, check=True, env=env
    )
    import django

    django.setup()
    from charterdesk.channels.phone.models import CallEvent, Exchange
    from tests.factories import make_employee

    Exchange.objects.create(name="bench", secret=SECRET)
    for ext in range(100, 120):
        make_employee("Bench", f"Nr{ext}", extension=str(ext))

    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--workers", "2",
            "--bind", f"127.0.0.1:{port}",
            "--worker-class", "gthread",
            "--threads", "1",
            "--keep-alive", "30",
            "--log-level", "warning",
        ],
        cwd=REPO,
        env=env,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(1.5)  # both workers booted
        t0 = time.time() - 86_400
        done = [0]
        calls = list(range(args.calls))
        clients = [
            Client(port, calls[i :: args.clients], args.batch, t0, done)
            for i in range(args.clients)
        ]
        # warm-up: one call per client outside the timing would change the counts; keep it simple
        started = time.perf_counter()
        for c in clients:
            c.start()
        killed = None
        if args.kill:
            while done[0] < args.calls // 2:
                time.sleep(0.01)
            workers = subprocess.run(
                ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
            ).stdout.split()
            killed = int(workers[0])
            os.kill(killed, signal.SIGKILL)
        for c in clients:
            c.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=20)
    latencies = [x for c in clients for x in c.latencies]
    retries = sum(c.retries for c in clients)
    errors = [e for c in clients for e in c.errors]
    expected = args.calls * 4
    stored = CallEvent.objects.count()
    distinct = CallEvent.objects.values("call_id", "event", "leg").distinct().count()
    per_call_ok = (
        CallEvent.objects.values("call_id").distinct().count() == args.calls and stored == distinct
    )
    print(
        f"{args.calls} calls, {expected} events, {args.clients} clients, batch {args.batch}, "
        f"2 gunicorn workers{', one killed mid-run (pid ' + str(killed) + ')' if killed else ''}"
    )
    print(f"  {expected / elapsed:,.0f} events/s, {len(latencies) / elapsed:,.0f} requests/s")
    print(
        f"  latency per request: p50 {percentile(latencies, 0.5):.1f} ms, "
        f"p95 {percentile(latencies, 0.95):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms"
    )
    print(f"  retries {retries}, refused {len(errors)} {errors[:3]}")
    print(
        f"  stored {stored} of {expected} events, {distinct} distinct: "
        f"{'nothing lost or doubled' if stored == expected == distinct and per_call_ok else 'MISMATCH'}"
    )


if __name__ == "__main__":
    main()
