"""The auditor's read-log search and the confidentiality form in Chromium, with axe-core
[CONFIDENTIALITY]."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from charterdesk.security.models import ReadLogEntry
from tests.browser.conftest import check_accessibility, sign_in

pytestmark = pytest.mark.browser


def test_employee_marks_a_case_confidential_and_the_auditor_finds_the_reads(page, office):
    case = office.case
    sign_in(page, office.anna.user.username)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_text("Konfidencialitāte", exact=True).click()
    page.get_by_label("Konfidenciāla: to redz tikai lietas komanda").check()
    page.get_by_label("Lietā nosauktie kolēģi").select_option(str(office.laura.pk))
    page.get_by_role("button", name="Saglabāt").click()
    page.get_by_text("Lieta ir konfidenciāla").first.wait_for()
    check_accessibility(page, "the case page with the confidentiality form")
    assert ReadLogEntry.objects.filter(case_id=case.pk, kind="case").count() >= 2

    # The quality manager, also the auditor: the read log in the admin, searched by reference.
    laura = office.laura.user
    laura.is_staff = True
    laura.save()
    laura.user_permissions.add(
        Permission.objects.get(content_type__app_label="security", codename="view_readlogentry")
    )
    page.context.clear_cookies()
    page.goto("/admin/login/?next=/admin/security/readlogentry/")
    page.get_by_label("Lietotājvārds").fill(laura.username)
    page.get_by_label("Parole").fill("pw-test-123456")
    page.get_by_role("button", name="Pieteikties").click()
    page.locator("#searchbar").fill(case.reference)
    page.locator("#searchbar").press("Enter")
    page.get_by_role("cell", name=office.anna.user.username).first.wait_for()
    check_accessibility(page, "the auditor's read-log search")
    assert "/admin/security/readlogentry/add/" not in page.content()  # read-only: nothing to add
    # The auditor opens one row: every field read-only, no save button.
    page.locator("#result_list tbody tr a").first.click()
    page.get_by_text(office.anna.user.username).first.wait_for()
    assert page.locator("input[type=submit][name=_save]").count() == 0
    check_accessibility(page, "a read-log row in the admin")
