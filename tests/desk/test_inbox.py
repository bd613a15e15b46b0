"""The inbox: who sees what, filters, search, keyset pages, formats, a constant number of queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from charterdesk.cases.services import case_close, case_open, case_resolve, case_set_next_due_many
from charterdesk.desk.selectors import Cursor, InboxFilters, Scope, inbox_page
from tests.desk.conftest import signed_in
from tests.factories import make_client, make_employee

pytestmark = pytest.mark.django_db


def subjects(response) -> list[str]:
    return [c.subject for c in response.context["page"].cases]


def test_sign_in_is_required(office):
    response = HttpClient().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    response = HttpClient().get("/en/")
    assert response["Location"].startswith("/en/login/")


def test_sign_in_page_and_wrong_password(office):
    client = HttpClient()
    assert "Pieteikties" in client.get("/login/").content.decode()
    response = client.post("/login/", {"username": office.anna.user.username, "password": "nope"})
    assert response.status_code == 200
    assert "nepareizs" in response.content.decode()  # the reason, in Latvian
    response = client.post(
        "/login/", {"username": office.anna.user.username, "password": "pw-test-123456"}
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_user_without_employee_gets_a_clear_page(office):
    get_user_model().objects.create_user(username="guest", password="pw-test-123456")
    client = HttpClient()
    client.login(username="guest", password="pw-test-123456")
    response = client.get("/")
    assert response.status_code == 403
    assert "nav piesaistīts darbiniekam" in response.content.decode()


def test_row_shows_channel_client_programme_status_and_time_left(office):
    response = signed_in(office.anna).get("/")
    html = response.content.decode()
    assert subjects(response) == ["Garantija dzīvokļa iegādei"]
    for text in ("Ilze Bērziņa", "e-pasts", "Mājokļu garantijas", "atvērta", "Anna Bērziņa"):
        assert text in html
    # The SLA engine opened timers on the client's e-mail; the row shows the working time left.
    assert response.context["timers"][office.case.pk].working


def test_scopes(office):
    other = case_open(client=make_client("Pēteris Liepa"), channel="phone", subject="Starts")
    janis_case = case_open(
        client=make_client("Ieva Kalna"),
        channel="portal",
        subject="Mikrokredīts",
        programme=office.startup,
        assignee=office.janis,
    )
    stranger = make_employee("Zane", "Ozola")  # no team
    case_open(client=make_client("Rūta"), channel="post", subject="Svešs", assignee=stranger)
    client = signed_in(office.anna)
    assert subjects(client.get("/?scope=mine")) == [office.case.subject]
    assert set(subjects(client.get("/?scope=team"))) == {office.case.subject, janis_case.subject}
    assert subjects(client.get("/?scope=unassigned")) == [other.subject]
    # A programme's inbox: by default the first programme the employee is competent for.
    assert subjects(client.get("/?scope=programme")) == [office.case.subject]
    assert subjects(client.get(f"/?scope=programme&programme={office.startup.pk}")) == [
        janis_case.subject
    ]
    assert len(subjects(client.get("/?scope=all"))) == 4


def test_filters(office):
    phone = case_open(
        client=make_client("Ansis"), channel="phone", subject="Zvans", assignee=office.anna
    )
    closed = case_open(
        client=make_client("Baiba"), channel="post", subject="Vēstule", assignee=office.anna
    )
    case_resolve(case=closed, by=office.anna)
    case_close(case=closed, by=office.anna)
    client = signed_in(office.anna)
    assert subjects(client.get("/?scope=mine&channel=phone")) == [phone.subject]
    assert subjects(client.get("/?scope=mine&status=closed")) == [closed.subject]
    assert closed.subject not in subjects(client.get("/?scope=mine"))  # active by default
    assert len(subjects(client.get("/?scope=mine&status=all"))) == 3
    assert subjects(client.get(f"/?scope=mine&programme={office.housing.pk}")) == [
        office.case.subject
    ]
    # Breached: the earliest deadline has passed.
    case_set_next_due_many({phone.pk: timezone.now() - timedelta(hours=1)})
    assert subjects(client.get("/?scope=mine&breached=on")) == [phone.subject]


def test_search_box(office):
    client = signed_in(office.anna)
    assert subjects(client.get("/?scope=all&q=berzina")) == [office.case.subject]
    assert subjects(client.get("/?scope=all&q=iemaksai")) == [office.case.subject]
    response = client.get("/?scope=all&q=nekas+tāds")
    assert subjects(response) == []
    assert "Neviena lieta neatbilst" in response.content.decode()


def test_bad_filter_values_get_a_clear_error_not_a_crash(office):
    client = signed_in(office.anna)
    response = client.get("/?scope=nowhere&programme=abc&after=garbage")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"scope", "programme", "after"}
    assert response.context["page"] is None


def test_keyset_pages_follow_deadline_order_with_no_deadline_last(office):
    now = timezone.now()
    client = make_client("Kārlis")
    made = []
    for i, hours in enumerate([5, None, 1, 3, None, 1, 8]):
        case = case_open(client=client, channel="email", subject=f"L{i}", assignee=office.laura)
        case_set_next_due_many({case.pk: now + timedelta(hours=hours) if hours else None})
        made.append((hours if hours is not None else 10**6, case.pk, f"L{i}"))
    expected = [s for _h, _pk, s in sorted(made)]
    seen: list[str] = []
    cursor = None
    filters = InboxFilters(scope=Scope.MINE)
    while True:
        page = inbox_page(employee=office.laura, filters=filters, cursor=cursor, now=now, size=3)
        seen += [c.subject for c in page.cases]
        if page.next_cursor is None:
            break
        cursor = Cursor.decode(page.next_cursor.encode())
    assert seen == expected
    # The same through the web page's "next page" links.
    http = signed_in(office.laura)
    response = http.get("/?scope=mine")
    assert subjects(response) == expected  # 7 rows fit on one 50-row page
    assert response.context["page"].next_cursor is None


def test_cursor_round_trip():
    when = datetime(2026, 11, 25, 12, 5, 7, 123456, tzinfo=UTC)
    assert Cursor.decode(Cursor(when, 42).encode()) == Cursor(when, 42)
    assert Cursor.decode("n.7") == Cursor(None, 7)
    for bad in ("", "x.1", "1", "1.-3", "n.x"):
        with pytest.raises(ValueError):
            Cursor.decode(bad)


def _page_queries(client: HttpClient, url: str) -> int:
    client.get(url)  # warm the per-process caches (calendar, policy)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_per_page_is_constant(office, monkeypatch):
    # The calendar cache asks the database at most every 2 s whether calendars changed; that query
    # belongs to the process, not to the page, and would land in either measurement by chance.
    monkeypatch.setattr("charterdesk.calendar.registry.REVISION_CHECK_SECONDS", 3600.0)
    client = signed_in(office.laura)
    people = [make_client(f"Klients {i}") for i in range(5)]

    def add(n: int) -> None:
        for i in range(n):
            case = case_open(
                client=people[i % 5],
                channel=["email", "phone", "post"][i % 3],
                subject=f"S{i}",
                programme=[office.housing, office.startup][i % 2],
                assignee=office.laura,
            )
            case_set_next_due_many({case.pk: timezone.now() + timedelta(hours=i + 1)})

    add(5)
    urls = ["/?scope=mine", "/?scope=all&q=klients", "/?scope=team&status=all"]
    few = [_page_queries(client, u) for u in urls]
    assert len(signed_in(office.laura).get("/?scope=mine").context["page"].cases) == 5
    add(45)
    many = [_page_queries(client, u) for u in urls]
    assert len(signed_in(office.laura).get("/?scope=mine").context["page"].cases) == 50
    assert few == many


@time_machine.travel(datetime(2026, 11, 25, 12, 5, tzinfo=UTC), tick=False)
def test_latvian_and_english_formats(office):
    case = case_open(
        client=make_client("Dace"),
        channel="email",
        subject="Formāti",
        assignee=office.anna,
        at=timezone.now(),
    )
    case_set_next_due_many({case.pk: datetime(2026, 11, 26, 12, 5, tzinfo=UTC)})
    lv = signed_in(office.anna).get(f"/cases/{case.pk}/").content.decode()
    assert "25.11.2026 14:05" in lv  # Europe/Riga, Latvian numeric date
    en = signed_in(office.anna).get(f"/en/cases/{case.pk}/").content.decode()
    assert "25 Nov 2026 14:05" in en


def test_a_case_whose_latest_mail_was_not_delivered_is_marked(office):
    """The employee sees it in the list, not only inside the case: the client must be reached
    another way.  A later mail that goes out clears it; so does nothing else."""
    from charterdesk.cases.services import case_record_bounce, case_record_send_failure, case_reply

    client = signed_in(office.anna)
    mark = "e-pasts nav piegādāts"
    assert mark not in client.get("/?scope=mine").content.decode()
    first = case_reply(case=office.case, by=office.anna, body="Lūdzu, atsūtiet izziņu.")
    assert mark not in client.get("/?scope=mine").content.decode()
    case_record_bounce(message=first, reason="550 5.1.1 user unknown")
    response = client.get("/?scope=mine")
    assert response.context["page"].undelivered == {office.case.pk}
    assert mark in response.content.decode()
    office.case.refresh_from_db()
    second = case_reply(case=office.case, by=office.anna, body="Vai saņēmāt?")
    assert signed_in(office.anna).get("/?scope=mine").context["page"].undelivered == set()
    case_record_send_failure(message=second, reason="554 refused")
    assert signed_in(office.anna).get("/?scope=mine").context["page"].undelivered == {
        office.case.pk
    }
    english = signed_in(office.anna).get("/en/?scope=mine").content.decode()
    assert "e-mail not delivered" in english
