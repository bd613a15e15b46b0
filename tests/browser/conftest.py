"""Browser tests: Playwright (Python) driving Debian's Chromium against pytest-django's live server.

``scripts/test`` installs Chromium (apt) and axe-core (npm).  Without /usr/bin/chromium the tests
are skipped with that reason; without axe-core they fail, saying how to install it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.desk.conftest import Office, build_office
from tests.support.smtp_sink import smtp_sink  # noqa: F401  (fixture)

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "pw-test-123456"


def pytest_collection_modifyitems(config: Any, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} is missing: apt-get install chromium (scripts/test does)"
    )
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One Chromium per test module, closed with it: Playwright's sync API keeps an event loop in
    the test thread, which Django's async-safety check would take for async code around the
    tests' own (synchronous, safe) ORM calls, so the check is relaxed only while it lives."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def office(transactional_db) -> Office:
    return build_office()


@pytest.fixture
def page(chromium, live_server) -> Iterator[Any]:
    context = chromium.new_context(
        base_url=live_server.url,
        viewport={"width": 1360, "height": 900},
        locale="lv-LV",
        timezone_id="Europe/Riga",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    # The Content-Security-Policy stays on in the browser tests: anything it blocks (an inline
    # script or style, a script from elsewhere) fails the test that showed the page.
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert not blocked, "blocked by the Content-Security-Policy:\n" + "\n".join(blocked)


def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Lietotājvārds").fill(username)
    page.get_by_label("Parole").fill(password)
    page.get_by_role("button", name="Pieteikties").click()
    page.get_by_role("heading", name="Iesūtne").wait_for()


def check_accessibility(page: Any, what: str) -> None:
    """axe-core on the current page: no serious or critical WCAG 2.1 A/AA violations."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing ({AXE}): run `npm install` in the repository root")
    # Evaluated through the DevTools protocol, not added as an inline <script>: the pages'
    # Content-Security-Policy forbids inline scripts, and the tests keep it on.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
        })"""
    )
    bad = [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in bad
    )
    assert not bad, f"accessibility violations on {what}:\n{report}"
