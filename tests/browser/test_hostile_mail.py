"""Hostile mail on the case page in Chromium (issue 13): the sender-check badge on messages and
the "mentions" link on both cases, in Latvian, with axe-core on each page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from charterdesk.cases.models import Case, LinkKind
from charterdesk.cases.services import case_add_message, case_open
from charterdesk.cases.services.links import case_link
from tests.browser.conftest import check_accessibility, sign_in
from tests.factories import make_client

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_sender_badges_and_the_mention_link(page, office):
    case = office.case
    for verdict in ("pass", "fail", "none"):
        case_add_message(
            case=Case.objects.get(pk=case.pk),
            direction="in",
            kind="request",
            channel="email",
            body=f"Ziņa ({verdict})",
            sender="Klients <klients@example.lv>",
            meta={
                "auth": {"by": "mx.altum.lv", "spf": verdict, "dmarc": verdict, "verdict": verdict}
            },
        )
    stranger = case_open(
        client=make_client(name="Svešinieks", email="svesais@example.com"),
        channel="email",
        subject=f"Par {case.reference}",
    )
    message = case_add_message(
        case=stranger, direction="in", kind="request", channel="email", body="Pārskaitiet naudu"
    )
    case_link(
        case=stranger, other=Case.objects.get(pk=case.pk), kind=LinkKind.MENTIONS, message=message
    )

    sign_in(page, office.anna.user.username)
    page.goto(f"/cases/{case.pk}/")
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("sūtītājs pārbaudīts")
    expect(timeline).to_contain_text("sūtītājs nav apstiprināts: iespējams, viltots")
    expect(timeline).to_contain_text("sūtītājs nav pārbaudīts")
    expect(timeline).to_contain_text("pārbaudīja mx.altum.lv: SPF pass · DMARC pass")
    facts = page.locator(".facts")
    expect(facts.locator("div", has_text="Pieminēta lietā")).to_contain_text(stranger.reference)
    check_accessibility(page, "the case page with sender badges and a mention")
    page.get_by_role("link", name=stranger.reference).click()
    expect(facts.locator("div", has_text="Piemin")).to_contain_text(case.reference)
    expect(facts).to_contain_text("sūtītājs nav tās klients")
    check_accessibility(page, "the mentioning case")
