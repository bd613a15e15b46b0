"""The report's pages, access, exports read back, and the public figures."""

from __future__ import annotations

import csv
import io
import json

import pytest
import time_machine
from django.urls import reverse

from charterdesk.reports.freeze import period_close
from tests.factories import make_employee
from tests.reports.conftest import AS_OF

pytestmark = pytest.mark.django_db
R = "EMAIL-REPLY-1BD"


@pytest.fixture
def manager():
    # The quality manager: an employee with that role (cases.access.figures_access: every team's
    # figures; the drill-down, which names cases, lists what cases_visible_to lets them see).
    qm = make_employee("Dace", quality_manager=True)
    return qm.user


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(AS_OF, tick=False):
        yield


def test_the_report_shows_the_hand_counted_figures(client, month, manager):
    client.force_login(manager)
    page = client.get(reverse("reports:report"), {"period": "2026-11"}, HTTP_ACCEPT_LANGUAGE="lv")
    assert page.status_code == 200
    html = page.content.decode()
    assert "71,4\u00a0%" in html  # 5/7 in Latvian
    assert f'aria-label="{R}: ievērots 4"' in html
    assert f'aria-label="{R}: nav ievērots 2"' in html
    assert "[NO-GIFTS]" in html and "gifts register" in html  # how it is checked
    assert "Nosūtītas 3, atbildētas 2 (66,7\u00a0%); vidējais vērtējums 4,00." in html
    en = client.get("/en/reports/", {"period": "2026-11"})
    assert "71.4%" in en.content.decode()
    assert "Sent 3, answered 2 (66.7%); average score 4.00." in en.content.decode()


def test_a_team_lead_sees_only_their_team_and_others_are_refused(client, month):
    client.force_login(month.employees["l1"].user)
    html = client.get("/en/reports/", {"period": "2026-11"}).content.decode()
    assert f'aria-label="{R}: kept 3"' in html and "80.0%" in html
    assert "Ilze Ozola" not in html  # team two's employee
    client.force_login(month.employees["e1"].user)
    assert client.get("/en/reports/").status_code == 403
    e1 = month.employees["e1"]
    e1.quality_manager = True  # the access part's role: sees every case
    e1.save()
    html = client.get("/en/reports/", {"period": "2026-11"}).content.decode()
    assert f'aria-label="{R}: kept 4"' in html
    client.logout()
    assert client.get("/en/reports/").status_code == 302  # to sign in


def test_drilldown_page_links_a_broken_case_to_the_moment_it_broke(client, month, manager):
    client.force_login(manager)
    page = client.get(f"/en/reports/{R}/", {"period": "2026-11", "outcome": "broken"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "ALT-2026-000001" in html and "ALT-2026-000004" in html
    assert "ALT-2026-000002" not in html
    c1 = month.cases["c1"]
    from charterdesk.cases.models import CaseEvent

    breach = CaseEvent.objects.get(case=c1, type="timer.breached")
    assert f"/en/cases/{c1.pk}/#event-{breach.pk}" in html
    assert client.get(f"/en/reports/{R}/", {"outcome": "nonsense"}).status_code == 400
    assert client.get("/en/reports/NOT-AN-ID/").status_code == 404


def test_exports_read_back(client, month, manager):
    from openpyxl import load_workbook

    client.force_login(manager)
    data = client.get("/en/reports/export.csv", {"period": "2026-11"}).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data.split("\n\n")[0].split("\r\n\r\n")[0])))
    reply = next(r for r in rows if r["commitment_id"] == R)
    assert (reply["kept"], reply["kept_by_explanation"], reply["broken"], reply["counted"]) == (
        "4",
        "1",
        "2",
        "7",
    )
    assert reply["rate"] == "0.7143"
    xlsx = client.get("/en/reports/export.xlsx", {"period": "2026-11"})
    wb = load_workbook(io.BytesIO(xlsx.content))
    summary = wb["Summary"]
    header = [c.value for c in summary[1]]
    row = next(r for r in summary.iter_rows(min_row=2, values_only=True) if r[1] == R)
    values = dict(zip(header, row, strict=True))
    assert (values["kept"], values["kept_by_explanation"], values["broken"]) == (4, 1, 2)
    splits = wb["Splits"]
    emails = [
        r
        for r in splits.iter_rows(min_row=2, values_only=True)
        if r[1] == R and r[2] == "channel" and r[3] == "email"
    ]
    assert [(r[5], r[6], r[7]) for r in emails] == [(3, 1, 2)]
    pdf = client.get("/en/reports/export.pdf", {"period": "2026-11"})
    assert pdf.content.startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert R in text and "71.4%" in text


def test_closing_a_month_from_the_page(client, month, manager):
    client.force_login(manager)
    response = client.post("/en/reports/close/", {"month": "2026-11", "action": "close"})
    assert response.status_code == 302
    html = client.get("/en/reports/", {"period": "2026-11"}).content.decode()
    assert 'id="frozen"' in html
    client.force_login(month.employees["l1"].user)
    assert client.post("/en/reports/close/", {"month": "2026-10"}).status_code == 403


def test_public_figures_are_opt_in_closed_months_only_and_small_counts_suppressed(
    client, month, settings
):
    assert client.get("/en/reports/public/").status_code == 404
    settings.CHARTERDESK_PUBLIC_FIGURES = True
    settings.CHARTERDESK_PUBLIC_MIN_COUNT = 5
    assert "No month has been closed yet" in client.get("/en/reports/public/").content.decode()
    period_close(month="2026-11", now=AS_OF)
    data = json.loads(client.get("/en/reports/public/open-data.json").content)
    assert data["schema"] == "charterdesk-compliance/1" and data["licence"]["name"] == "CC BY 4.0"
    (nov,) = data["months"]
    items = {c["commitment_id"]: c for c in nov["commitments"]}
    assert items[R]["counted"] == 7 and items[R]["rate"] == 0.7143
    assert items["EMAIL-ACK"]["suppressed"] is True and items["EMAIL-ACK"]["rate"] is None
    assert items["NO-GIFTS"]["suppressed"] is False
    text = json.dumps(data, ensure_ascii=False)
    for who in ("Bērziņa", "Kalniņš", "ALT-2026", "Rīgas birojs", "example.lv"):
        assert who not in text
    rows = list(
        csv.DictReader(io.StringIO(client.get("/en/reports/public/open-data.csv").content.decode()))
    )
    assert next(r for r in rows if r["commitment_id"] == R)["rate"] == "0.7143"
    page = client.get("/reports/public/").content.decode()
    assert "71,4\u00a0%" in page and "pārāk maz, lai rādītu" in page


def test_the_drilldown_lists_no_case_the_reader_may_not_see(client, month, manager):
    # The figures count a confidential case; the list, which names cases, leaves it out for a
    # quality manager outside its team [CONFIDENTIALITY].
    c1 = month.cases["c1"]
    c1.confidential = True
    c1.save(update_fields=["confidential"])
    client.force_login(manager)
    html = client.get(f"/en/reports/{R}/", {"period": "2026-11", "outcome": "broken"}).content
    assert b"ALT-2026-000004" in html
    assert c1.reference.encode() not in html
