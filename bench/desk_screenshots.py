"""Screenshots of the desk for the docs: ``docs/screenshots/inbox.png`` and ``case.png``.

Run (needs /usr/bin/chromium; a few seconds)::

    .venv/bin/python bench/desk_screenshots.py [--out docs/screenshots] [--language lv|en]

It prepares the demo (``charterdesk demo --no-serve``) in a throw-away SQLite database, starts
``charterdesk runserver`` on a free local port, signs in as the demo employee Anna Bērziņa in
Chromium (Playwright) and saves the inbox (her team's cases) and the case page of a case with
several messages.  Nothing outside the temporary directory and the output folder is touched.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHARTERDESK = ROOT / ".venv" / "bin" / "charterdesk"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"the server did not start on port {port}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--language", default="lv", choices=["lv", "en"])
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    prefix = "" if args.language == "lv" else "/en"
    with tempfile.TemporaryDirectory(prefix="cd-shots-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(
            CHARTERDESK_VAR_DIR=tmp, DEBUG="1", TASKS_BACKEND="django_tasks_db.DatabaseBackend"
        )
        subprocess.run(
            [str(CHARTERDESK), "demo", "--no-serve"], env=env, check=True, stdout=subprocess.DEVNULL
        )
        port = free_port()
        server = subprocess.Popen(
            [str(CHARTERDESK), "runserver", "--noreload", f"127.0.0.1:{port}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(port)
            shoot(f"http://127.0.0.1:{port}", prefix, out)
        finally:
            server.terminate()
            server.wait(10)
    print(f"saved {out / 'inbox.png'} and {out / 'case.png'}")


def shoot(base: str, prefix: str, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(base_url=base, viewport={"width": 1360, "height": 860})
        page.goto(f"{prefix}/login/")
        page.fill("#id_username", "anna")
        page.fill("#id_password", "demo-altum-2026")
        page.click("button[type=submit].primary")
        page.wait_for_selector("table.inbox, .empty")
        page.goto(f"{prefix}/?scope=team")
        page.wait_for_selector("table.inbox")
        page.screenshot(path=str(out / "inbox.png"), full_page=False)
        # A case with a conversation: the first row whose page has more than one message.
        links = page.locator("table.inbox tbody a").evaluate_all("els => els.map(e => e.href)")
        chosen = links[0]
        for href in links[:15]:
            page.goto(href)
            if page.locator(".timeline .msg").count() >= 2 and page.locator(".needs").count():
                chosen = href
                break
        else:
            for href in links[:15]:
                page.goto(href)
                if page.locator(".timeline .msg").count() >= 2:
                    chosen = href
                    break
        page.goto(chosen)
        page.set_viewport_size({"width": 1360, "height": 1400})
        page.screenshot(path=str(out / "case.png"), full_page=False)
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
