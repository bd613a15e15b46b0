"""The compliance report, its drill-down, the public figures and the survey pages in Chromium,
in Latvian and in English; axe-core on every page."""

from __future__ import annotations

import re

import pytest

from charterdesk.reports.freeze import period_close
from tests.browser.conftest import check_accessibility, sign_in
from tests.factories import make_employee
from tests.reports.conftest import AS_OF, Month, build_month

pytestmark = pytest.mark.browser
R = "EMAIL-REPLY-1BD"


@pytest.fixture
def month(transactional_db) -> Month:
    return build_month()


@pytest.fixture
def manager(month):
    qm = make_employee("Kristīne", "Kvalitāte", quality_manager=True)  # reads every case
    return qm


def test_report_and_drilldown_in_latvian_open_a_broken_case_on_its_breach(page, month, manager):
    sign_in(page, manager.user.username)
    page.goto("/reports/?period=2026-11")
    page.get_by_role("heading", name=re.compile("Atbilstības pārskats")).wait_for()
    row = page.locator(f"#row-{R}")
    assert "71,4" in row.inner_text()
    check_accessibility(page, "the compliance report (lv)")
    row.get_by_role("link", name=f"{R}: nav ievērots 2").click()
    page.wait_for_url(re.compile(rf"/reports/{R}/\?"))
    page.locator("#cases").wait_for()
    cases = page.locator("#cases tbody tr")
    assert cases.count() == 2
    check_accessibility(page, "the drill-down (lv)")
    page.get_by_role("link", name="ALT-2026-000001").click()
    page.wait_for_url(re.compile(r"/cases/\d+/#event-\d+$"))
    anchor = page.url.rsplit("#", 1)[1]
    assert page.locator(f"#{anchor}").is_visible()


def test_report_and_drilldown_in_english(page, month, manager):
    sign_in(page, manager.user.username)
    page.goto("/en/reports/?period=2026-11")
    page.get_by_role("heading", name=re.compile("Compliance report")).wait_for()
    assert "71.4%" in page.locator(f"#row-{R}").inner_text()
    assert "Sent 3, answered 2" in page.locator("#satisfaction-total").inner_text()
    check_accessibility(page, "the compliance report (en)")
    page.goto(f"/en/reports/{R}/?period=2026-11&dim=employee&value={month.employees['e1'].pk}")
    assert page.locator("#cases tbody tr").count() == 3
    check_accessibility(page, "the drill-down (en)")


def test_public_figures_in_both_languages(page, month, settings):
    settings.CHARTERDESK_PUBLIC_FIGURES = True
    settings.CHARTERDESK_PUBLIC_MIN_COUNT = 5
    period_close(month="2026-11", now=AS_OF)
    page.goto("/reports/public/")
    table = page.locator("#month-2026-11")
    assert "71,4" in table.inner_text() and "pārāk maz, lai rādītu" in table.inner_text()
    check_accessibility(page, "the public figures (lv)")
    page.goto("/en/reports/public/")
    assert "too few to show" in page.locator("#month-2026-11").inner_text()
    check_accessibility(page, "the public figures (en)")


def test_survey_pages_score_comment_and_refusal(page, month):
    from charterdesk.feedback.models import SurveyInvitation
    from charterdesk.feedback.tokens import make_token

    invitation = SurveyInvitation.objects.filter(answered_at__isnull=True).get()
    SurveyInvitation.objects.filter(pk=invitation.pk).update(
        sent_at=AS_OF, expires_at=AS_OF.replace(year=2027)
    )
    token = make_token(invitation.pk, invitation.nonce)
    page.goto(f"/feedback/s/{token}/5/")
    page.get_by_role("heading", name="Paldies par vērtējumu").wait_for()
    check_accessibility(page, "the survey's thank-you page (lv)")
    page.get_by_label("Komentārs (nav obligāts)").fill("Ātri un laipni.")
    page.get_by_role("button", name="Nosūtīt komentāru").click()
    page.get_by_role("heading", name="Paldies").wait_for()
    page.goto(f"/en/feedback/s/{token}/3/")
    page.get_by_role("heading", name="This survey has already been answered").wait_for()
    check_accessibility(page, "a refused survey link (en)")
    invitation.refresh_from_db()
    assert invitation.score == 5 and invitation.comment == "Ātri un laipni."
