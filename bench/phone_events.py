"""Call events through the signed API on PostgreSQL with two worker processes (target: at least
1,000 events/s, p99 under 50 ms, nothing lost or doubled when a worker is killed mid-run).

Run:  .venv/bin/python bench/phone_events.py [--url postgres://postgres@127.0.0.1:5432/cd_bench_phone]
          [--calls 3000] [--clients 6] [--batch 1] [--kill] [--threads 2] [--repo PATH]

The bench database is dropped and re-created and migrated.  gunicorn serves the project
(``config.wsgi``) with two gthread worker processes (``--threads`` each, keep-alive, persistent
database connections) on a free loopback port.  ``--clients`` threads play exchanges: each sends
its calls' events (offered, alerting, answered, ended: four per call) in order, each request
signed, ``--batch`` events per request (1: one event per request, as Kamailio sends them), keeping
its HTTP connection open.  A request that fails (connection reset, 5xx) is sent again, as an
exchange must; the API is idempotent, so a retry never doubles an event.

The client is lean so that it does not take the server's CPU (client and server share the
machine): the bodies are serialised before the clock starts, each request is signed when it is
sent (one HMAC) and written as prepared bytes on a raw keep-alive socket, and the answer is read
by its ``Content-Length``.  The script prints the CPU seconds the client, the gunicorn workers and
the PostgreSQL backends used per 1,000 events, and the load average before and after.

``--repo PATH`` serves another checkout of the project (the same models) with the same client:
to measure before and after a change in one session, e.g. a ``git archive`` of the old commit.

``--kill``: half way through, one gunicorn worker is killed with SIGKILL (gunicorn starts another).
At the end the script counts the stored events in the database: every one of calls × 4 must be
there exactly once.  Prints events/s, requests/s, the latency percentiles per request, retries.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
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
SECRET = "bench-secret"
EXCHANGE = "bench"
TICK = os.sysconf("SC_CLK_TCK")


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


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def call_events(n: int, t0: float) -> list[dict[str, str]]:
    cid = f"bench-{n}"
    ext = str(100 + n % 20)
    return [
        {"call_id": cid, "event": "offered", "at": f"{t0:.3f}", "caller": f"2{n % 10_000_000:07d}", "line": "67774010"},
        {"call_id": cid, "event": "alerting", "at": f"{t0 + 2:.3f}", "leg": ext},
        {"call_id": cid, "event": "answered", "at": f"{t0 + 9:.3f}", "leg": ext},
        {"call_id": cid, "event": "ended", "at": f"{t0 + 60:.3f}"},
    ]  # fmt: skip


def bodies(calls: list[int], batch: int, t0: float) -> list[bytes]:
    """The request bodies of one exchange, in the order it sends them."""
    out: list[bytes] = []
    pending: list[dict[str, str]] = []
    for n in calls:
        for event in call_events(n, t0 + n):
            pending.append(event)
            if len(pending) >= batch:
                out.append(json.dumps(pending[0] if batch == 1 else {"events": pending}).encode())
                pending = []
    if pending:
        out.append(json.dumps(pending[0] if len(pending) == 1 else {"events": pending}).encode())
    return out


class Client(threading.Thread):
    """One exchange on one keep-alive connection: prepared bytes out, the answer read by its
    Content-Length (no http.client, no header parsing beyond that)."""

    def __init__(
        self, port: int, bodies: list[bytes], events_per_body: list[int], done: list[int]
    ) -> None:
        super().__init__(daemon=True)
        self.port, self.bodies, self.events_per_body, self.done = (
            port,
            bodies,
            events_per_body,
            done,
        )
        self.latencies: list[float] = []
        self.retries = 0
        self.errors: list[str] = []
        self.sock: socket.socket | None = None
        self.head = (
            f"POST /api/v1/phone/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: application/json\r\n"
        ).encode()

    def request(self, body: bytes) -> bytes:
        t = int(time.time())
        mac = hmac.new(SECRET.encode(), str(t).encode() + b"." + body, hashlib.sha256).hexdigest()
        return (
            self.head
            + f"X-Phone-Signature: exchange={EXCHANGE}, t={t}, v1={mac}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )

    def exchange(self, data: bytes) -> int:
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(data)
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            buf += chunk
        head, _sep, rest = buf.partition(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        close = False
        for line in head.split(b"\r\n")[1:]:
            name, _c, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            rest += chunk
        if close:
            self.sock.close()
            self.sock = None
        return status

    def post(self, body: bytes) -> None:
        for _attempt in range(50):
            try:
                data = self.request(body)
                started = time.perf_counter()
                status = self.exchange(data)
                elapsed = (time.perf_counter() - started) * 1000
                if status in (200, 201):
                    self.latencies.append(elapsed)
                    return
                if status < 500:
                    self.errors.append(f"{status}")
                    return
            except (OSError, ValueError):
                pass
            self.retries += 1
            if self.sock is not None:
                self.sock.close()
            self.sock = None
            time.sleep(0.05)
        self.errors.append("gave up after 50 attempts")

    def run(self) -> None:
        for body, n in zip(self.bodies, self.events_per_body, strict=True):
            self.post(body)
            self.done[0] += n
        if self.sock is not None:
            self.sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgres://postgres@127.0.0.1:5432/cd_bench_phone")
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--kill", action="store_true")
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout to serve")
    args = parser.parse_args()
    repo = args.repo.resolve()
    sys.path.insert(0, str(repo))
    recreate(args.url)
    env = dict(
        os.environ,
        DATABASE_URL=args.url,
        DJANGO_SETTINGS_MODULE="config.settings",
        CONN_MAX_AGE="600",
        DEBUG="",
        LOG_LEVEL="ERROR",
        PYTHONPATH=str(repo),
    )
    os.environ.update(env)
    subprocess.run(
        [sys.executable, "-m", "charterdesk", "migrate", "-v", "0"], cwd=repo, check=True, env=env
    )
    import django

    django.setup()
    from django.db import connection

    import charterdesk
    from charterdesk.channels.phone.models import CallEvent, Exchange
    from tests.factories import make_employee

    assert Path(charterdesk.__file__).is_relative_to(repo), charterdesk.__file__
    Exchange.objects.create(name=EXCHANGE, secret=SECRET)
    for ext in range(100, 120):
        make_employee("Bench", f"Nr{ext}", extension=str(ext))

    # Every body is made before the clock starts; each client is one exchange.
    t0 = time.time() - 86_400
    calls = list(range(args.calls))
    shares = [calls[i :: args.clients] for i in range(args.clients)]
    prepared = [bodies(share, args.batch, t0) for share in shares]
    counts = []
    for share, made in zip(shares, prepared, strict=True):
        total, per = len(share) * 4, []
        for _ in made:
            per.append(min(args.batch, total))
            total -= per[-1]
        counts.append(per)

    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--workers", "2",
            "--bind", f"127.0.0.1:{port}",
            "--worker-class", "gthread",
            "--threads", str(args.threads),
            "--keep-alive", "30",
            "--log-level", "warning",
        ],
        cwd=repo,
        env=env,
    )  # fmt: skip
    killed = None
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(2.0)  # both workers booted
        # Warm-up outside the clock: each worker loads its views and opens its database connection
        # on its first requests (calls "warm-…", not counted below).
        warm_t0 = t0 - 3600
        warm = [
            Client(
                port, [json.dumps(e).encode() for e in call_events(n, warm_t0 + n)], [1] * 4, [0]
            )
            for n in range(8)
        ]
        for c in warm:
            c.start()
        for c in warm:
            c.join()
        assert not any(c.errors for c in warm), [c.errors for c in warm]
        workers = [
            int(p)
            for p in subprocess.run(
                ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
            ).stdout.split()
        ]
        server_cpu_start = sum(cpu_seconds(p) for p in workers)
        load_before = os.getloadavg()
        done = [0]
        clients = [
            Client(port, made, per, done) for made, per in zip(prepared, counts, strict=True)
        ]
        client_cpu_start = time.process_time()
        started = time.perf_counter()
        for c in clients:
            c.start()
        killed_cpu = 0.0
        if args.kill:
            while done[0] < args.calls * 2:  # half of the events
                time.sleep(0.01)
            killed = workers[0]
            killed_cpu = cpu_seconds(killed)
            os.kill(killed, signal.SIGKILL)
        for c in clients:
            c.join()
        elapsed = time.perf_counter() - started
        client_cpu = time.process_time() - client_cpu_start
        load_after = os.getloadavg()
        live = [
            int(p)
            for p in subprocess.run(
                ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
            ).stdout.split()
        ]
        server_cpu = sum(cpu_seconds(p) for p in live) + killed_cpu - server_cpu_start
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            backends = [row[0] for row in cursor.fetchall()]
        db_cpu = sum(cpu_seconds(p) for p in backends)
    finally:
        server.terminate()
        server.wait(timeout=20)
    latencies = [x for c in clients for x in c.latencies]
    retries = sum(c.retries for c in clients)
    errors = [e for c in clients for e in c.errors]
    expected = args.calls * 4
    measured = CallEvent.objects.filter(call__external_id__startswith="bench-")
    stored = measured.count()
    distinct = measured.values("call_id", "event", "leg").distinct().count()
    per_call_ok = measured.values("call_id").distinct().count() == args.calls and stored == distinct
    per_k = 1000 / expected
    print(
        f"{args.calls} calls, {expected} events, {args.clients} clients, batch {args.batch}, "
        f"2 gunicorn gthread workers × {args.threads} threads, code {repo}"
        f"{', one worker killed mid-run (pid ' + str(killed) + ')' if killed else ''}"
    )
    print(f"  load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    print(f"  {expected / elapsed:,.0f} events/s, {len(latencies) / elapsed:,.0f} requests/s")
    print(
        f"  latency per request: p50 {percentile(latencies, 0.5):.1f} ms, "
        f"p95 {percentile(latencies, 0.95):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms"
    )
    print(
        f"  CPU per 1,000 events: client {client_cpu * per_k:.2f} s, gunicorn workers "
        f"{server_cpu * per_k:.2f} s, PostgreSQL backends {db_cpu * per_k:.2f} s"
        f"{' (the killed worker backend not counted)' if killed else ''}"
    )
    print(f"  retries {retries}, refused {len(errors)} {errors[:3]}")
    print(
        f"  stored {stored} of {expected} events, {distinct} distinct: "
        f"{'nothing lost or doubled' if stored == expected == distinct and per_call_ok else 'MISMATCH'}"
    )


if __name__ == "__main__":
    main()
