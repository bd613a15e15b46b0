"""Screen pop: from the exchange's ``alerting`` event to the desk showing the caller (target: p95
under 1 s).  The desk polls (htmx, every 500 ms, 204 when nothing changed); no SSE.

Run:  .venv/bin/python bench/phone_pop.py [--url postgres://postgres@127.0.0.1:5432/cd_bench_pop]
          [--calls 40]

The bench database is dropped, re-created and migrated; Django's threaded development server
serves the project (it also serves the static files).  Debian's Chromium (Playwright) signs in as an employee with extension 101 and waits on
the inbox.  For each call the script sends ``offered`` and ``alerting`` for 101, signed, over HTTP,
and measures from the moment the ``alerting`` request was answered until the pop's heading with the
caller's number is visible in the page; then it ends the call and waits for the pop to go.  Prints
the median, p95 and maximum.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from phone_events import free_port, percentile, recreate  # noqa: E402

SECRET = "bench-secret"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgres://postgres@127.0.0.1:5432/cd_bench_pop")
    parser.add_argument("--calls", type=int, default=40)
    args = parser.parse_args()
    recreate(args.url)
    env = dict(
        os.environ,
        DATABASE_URL=args.url,
        DJANGO_SETTINGS_MODULE="config.settings",
        CONN_MAX_AGE="600",
        LOG_LEVEL="ERROR",
    )
    os.environ.update(env)
    subprocess.run(
        [sys.executable, "-m", "charterdesk", "migrate", "-v", "0"], cwd=REPO, check=True, env=env
    )
    import django

    django.setup()
    from charterdesk.channels.phone.models import Exchange
    from charterdesk.channels.phone.signing import HEADER, header_value
    from tests.factories import make_client, make_employee, make_institution

    make_institution()
    Exchange.objects.create(name="bench", secret=SECRET)
    anna = make_employee("Anna", "Bērziņa", extension="101")
    make_client("Ilze Bērziņa", phone="+37129123456")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # Django's own server (threaded), which also serves the static files (htmx) the page needs.
    server = subprocess.Popen(
        [sys.executable, "-m", "charterdesk", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=REPO,
        env=dict(env, DEBUG="1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def send(event: dict[str, str]) -> None:
        body = json.dumps(event).encode()
        request = urllib.request.Request(
            base + "/api/v1/phone/events",
            data=body,
            headers={
                "Content-Type": "application/json",
                HEADER: header_value("bench", SECRET, body),
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    times: list[float] = []
    try:
        time.sleep(3)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page(base_url=base, locale="lv-LV")
            page.goto("/login/")
            page.get_by_label("Lietotājvārds").fill(anna.user.username)
            page.get_by_label("Parole").fill("pw-test-123456")
            page.get_by_role("button", name="Pieteikties").click()
            page.get_by_role("heading", name="Iesūtne").wait_for()
            heading = page.locator("#phone-pop-title")
            for n in range(args.calls):
                t = time.time()
                cid = f"pop-{n}"
                send({"call_id": cid, "event": "offered", "at": f"{t:.3f}", "caller": "29123456"})
                send({"call_id": cid, "event": "alerting", "at": f"{t:.3f}", "leg": "101"})
                rang = time.perf_counter()
                heading.wait_for(state="visible", timeout=10_000)
                times.append(time.perf_counter() - rang)
                send({"call_id": cid, "event": "abandoned", "at": f"{time.time():.3f}"})
                send({"call_id": cid, "event": "ended", "at": f"{time.time():.3f}"})
                heading.wait_for(state="detached", timeout=10_000)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(f"{len(times)} calls: ringing → pop shown (polling every 500 ms)")
    print(
        f"  median {percentile(times, 0.5) * 1000:.0f} ms, p95 {percentile(times, 0.95) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
