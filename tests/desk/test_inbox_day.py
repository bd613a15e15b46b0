"""A day's work in the inbox: "client wrote again", "new since you last looked", sortable columns,
saved views, bulk assign / transfer / close with one confirmation, and the live version."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from charterdesk.cases.models import Case, CaseEvent
from charterdesk.cases.services import (
    case_add_message,
    case_open,
    case_reply,
    case_resolve,
    case_set_confidential,
    case_set_next_due_many,
)
from charterdesk.desk.models import CaseSeen, SavedFilter
from charterdesk.desk.selectors import (
    PAGE_SIZE,
    Cursor,
    InboxFilters,
    Scope,
    client_wrote_again,
    inbox_page,
    inbox_version,
    unseen_by,
)
from charterdesk.desk.services import (
    SAVED_FILTERS_MAX,
    BulkAction,
    bulk_apply,
    bulk_plan,
    case_seen,
    saved_filter_delete,
    saved_filter_save,
)
from tests.desk.conftest import signed_in
from tests.factories import make_client, make_employee

pytestmark = pytest.mark.django_db


def _answer(case: Case, by) -> None:
    case.refresh_from_db()
    case_reply(case=case, by=by, body="Labdien! Atbildam uz jūsu jautājumu.")


def _client_writes(case: Case, text: str = "Vēl viens jautājums.") -> None:
    case.refresh_from_db()
    case_add_message(case=case, direction="in", kind="request", sender="ilze@example.lv", body=text)


# --- 1. markers ----------------------------------------------------------------------------------


def test_client_wrote_again_only_after_our_answer(office):
    case = office.case
    # Asked once, not answered yet (the acknowledgement is no answer): not "again".
    assert client_wrote_again([case.pk]) == set()
    _answer(case, office.anna)
    assert client_wrote_again([case.pk]) == set()
    _client_writes(case)
    assert client_wrote_again([case.pk]) == {case.pk}
    _answer(case, office.anna)
    assert client_wrote_again([case.pk]) == set()


def test_unseen_until_the_employee_opens_the_case_page(office):
    client = signed_in(office.anna)
    page = client.get("/").context["page"]
    assert office.case.pk in page.unseen  # never opened
    assert client.get(f"/cases/{office.case.pk}/").status_code == 200
    assert CaseSeen.objects.filter(employee=office.anna, case=office.case).count() == 1
    html = client.get("/").content.decode()
    assert "jauna kopš apskates" not in html
    # Another employee's look is theirs only.
    assert office.case.pk in unseen_by(office.laura, [Case.objects.get(pk=office.case.pk)])
    # The client writes: new again for Anna, and "client wrote again" once we had answered.
    _answer(office.case, office.laura)
    client.get(f"/cases/{office.case.pk}/")
    assert office.case.pk not in client.get("/").context["page"].unseen
    _client_writes(office.case)
    response = client.get("/")
    assert office.case.pk in response.context["page"].unseen
    html = response.content.decode()
    assert "jauna kopš apskates" in html and "klients rakstīja vēlreiz" in html
    english = client.get("/en/").content.decode()
    assert "new since you looked" in english and "client wrote again" in english


def test_seen_is_one_row_per_employee_and_case(office):
    earlier = timezone.now() - timedelta(hours=1)
    case_seen(employee=office.anna, cases=[office.case], at=earlier)
    case_seen(employee=office.anna, cases=[office.case])
    rows = CaseSeen.objects.filter(employee=office.anna, case=office.case)
    assert rows.count() == 1 and rows.get().seen_at > earlier


def test_markers_cost_the_same_queries_for_5_or_40_cases(office, monkeypatch):
    monkeypatch.setattr("charterdesk.calendar.registry.REVISION_CHECK_SECONDS", 3600.0)
    people = [make_client(f"Klients {i}") for i in range(5)]

    def add(n: int) -> None:
        for i in range(n):
            case = case_open(
                client=people[i % 5], channel="email", subject=f"S{i}", assignee=office.anna
            )
            case_add_message(case=case, direction="in", kind="request", body="Jautājums")
            case.refresh_from_db()
            case_reply(case=case, by=office.anna, body="Atbilde")
            if i % 2:
                case_seen(employee=office.anna, cases=[case])

    def count() -> int:
        filters = InboxFilters(scope=Scope.MINE)
        with CaptureQueriesContext(connection) as ctx:
            inbox_page(employee=office.anna, filters=filters, cursor=None, now=timezone.now())
        return len(ctx.captured_queries)

    add(4)
    few = count()
    add(36)
    assert count() == few


# --- 2. sorting -----------------------------------------------------------------------------------


def _sorted_office(office):
    names = ["Zane Ābola", "Aivars Liepa", "Māris Bērziņš"]
    cases = [office.case]
    now = timezone.now()
    for i, name in enumerate(names):
        case = case_open(
            client=make_client(name),
            channel="phone",
            subject=f"{'CBA'[i]} temats",
            assignee=office.anna,
            at=now + timedelta(minutes=i + 1),
        )
        cases.append(case)
    case_set_next_due_many({c.pk: now + timedelta(hours=10 - i) for i, c in enumerate(cases)})
    return cases


def _subjects(response) -> list[str]:
    return [c.subject for c in response.context["page"].cases]


def test_sorts_by_each_column_both_ways_with_aria_sort(office):
    cases = _sorted_office(office)
    client = signed_in(office.anna)
    by_due = _subjects(client.get("/?scope=mine"))
    assert by_due == [c.subject for c in reversed(cases)]
    assert _subjects(client.get("/?scope=mine&sort=-due")) == [c.subject for c in cases]
    newest = _subjects(client.get("/?scope=mine&sort=-received"))
    assert newest == [c.subject for c in reversed(cases)]
    assert _subjects(client.get("/?scope=mine&sort=received")) == [c.subject for c in cases]
    assert _subjects(client.get("/?scope=mine&sort=subject"))[:3] == [
        "A temats",
        "B temats",
        "C temats",
    ]
    clients = [c.client.name for c in client.get("/?scope=mine&sort=client").context["page"].cases]
    assert clients == sorted(clients)
    back = [c.client.name for c in client.get("/?scope=mine&sort=-client").context["page"].cases]
    assert back == sorted(clients, reverse=True)
    html = client.get("/?scope=mine&sort=-received").content.decode()
    assert 'aria-sort="descending"' in html and html.count("aria-sort=") == 1
    # The sorted column's link offers the other direction; the default needs no parameter.
    assert 'href="?scope=mine&amp;sort=received"' in html
    assert 'aria-sort="ascending"' in client.get("/?scope=mine").content.decode()


def test_an_unknown_sort_is_named_not_a_crash(office):
    response = signed_in(office.anna).get("/?scope=mine&sort=drop")
    assert response.status_code == 200
    assert response.context["form"].errors["sort"]


@pytest.mark.parametrize(
    "sort", ["due", "-due", "received", "-received", "client", "-client", "subject", "-subject"]
)
def test_keyset_pages_of_every_sort_cover_every_case_once(office, sort):
    people = [make_client(f"Klients {i % 4}") for i in range(4)]
    now = timezone.now()
    made = []
    for i in range(11):
        case = case_open(
            client=people[i % 4],
            channel="email",
            subject=f"Temats {i % 3}",
            assignee=office.laura,
            at=now - timedelta(minutes=i % 5),
        )
        made.append(case)
    # Ties and empty deadlines on purpose.
    case_set_next_due_many(
        {c.pk: now + timedelta(hours=i % 3) for i, c in enumerate(made) if i % 4}
    )
    filters = InboxFilters(scope=Scope.MINE, sort=sort)
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        page = inbox_page(employee=office.laura, filters=filters, cursor=cursor, now=now, size=3)
        seen += [c.pk for c in page.cases]
        if page.next_cursor is None:
            break
        cursor = Cursor.decode(page.next_cursor.encode())
    everything = inbox_page(employee=office.laura, filters=filters, cursor=None, now=now, size=100)
    assert seen == [c.pk for c in everything.cases]
    assert sorted(seen) == sorted(c.pk for c in made)


def test_text_cursor_round_trip_and_a_cursor_of_another_sort_is_refused(office):
    assert Cursor.decode(Cursor("Bērziņš Ā/ž", 5).encode()) == Cursor("Bērziņš Ā/ž", 5)
    client = signed_in(office.anna)
    wrong = Cursor("Ābols", 3).encode()
    response = client.get(f"/?scope=mine&after={wrong}")  # a text cursor for the deadline sort
    assert response.context["form"].errors["after"]


# --- 3. saved views -------------------------------------------------------------------------------


def test_saved_view_rules(office):
    row, new = saved_filter_save(
        employee=office.anna,
        name="  Mani   nokavētie ",
        params={"scope": "mine", "breached": "on", "after": "n.4", "evil": "x", "sort": ""},
    )
    assert new and row.name == "Mani nokavētie" and row.query == "scope=mine&breached=on"
    again, new = saved_filter_save(
        employee=office.anna, name="mani nokavētie", params={"scope": "team"}
    )
    assert not new and again.pk == row.pk and again.query == "scope=team"
    with pytest.raises(ValidationError):
        saved_filter_save(employee=office.anna, name="   ", params={})
    with pytest.raises(ValidationError):
        saved_filter_save(employee=office.anna, name="x" * 81, params={})
    for i in range(SAVED_FILTERS_MAX - 1):
        saved_filter_save(employee=office.anna, name=f"V{i}", params={})
    with pytest.raises(ValidationError):
        saved_filter_save(employee=office.anna, name="one too many", params={})
    # Another employee has their own list, and cannot delete Anna's.
    saved_filter_save(employee=office.laura, name="Mani nokavētie", params={})
    with pytest.raises(SavedFilter.DoesNotExist):
        saved_filter_delete(employee=office.laura, pk=row.pk)
    saved_filter_delete(employee=office.anna, pk=row.pk)
    assert not SavedFilter.objects.filter(pk=row.pk).exists()


def test_saved_view_through_the_pages(office):
    client = signed_in(office.anna)
    response = client.post(
        "/inbox/views/", {"name": "Komanda pēc klienta", "query": "scope=team&sort=client"}
    )
    assert response.status_code == 302 and response["Location"] == "/?scope=team&sort=client"
    html = client.get(response["Location"]).content.decode()
    assert 'href="/?scope=team&amp;sort=client" aria-current="page">Komanda pēc klienta' in html
    # The same view reached with its parameters in another order is still the current one.
    reordered = client.get("/?sort=client&scope=team").content.decode()
    assert 'aria-current="page">Komanda pēc klienta' in reordered
    assert (
        'aria-current="page">Komanda pēc klienta' not in client.get("/?scope=team").content.decode()
    )
    row = SavedFilter.objects.get(employee=office.anna)
    # Laura cannot delete it (404 as if absent); Anna can.
    assert signed_in(office.laura).post(f"/inbox/views/{row.pk}/delete/").status_code == 404
    assert client.get(f"/inbox/views/{row.pk}/delete/").status_code == 405
    assert client.post(f"/inbox/views/{row.pk}/delete/").status_code == 302
    assert not SavedFilter.objects.exists()
    response = client.post("/inbox/views/", {"name": "", "query": "scope=team"}, follow=True)
    assert "Nosauciet skatu" in response.content.decode()


# --- 4. bulk --------------------------------------------------------------------------------------


def _unassigned(n: int, programme=None) -> list[Case]:
    return [
        case_open(
            client=make_client(f"Klients {i}"),
            channel="phone",
            subject=f"Zvans {i}",
            programme=programme,
        )
        for i in range(n)
    ]


def test_bulk_assign_through_the_case_service_reports_each_refusal(office):
    free = _unassigned(2, programme=office.housing)
    janis_case = case_open(
        client=make_client("Ieva"), channel="email", subject="Jāņa", assignee=office.janis
    )
    startup = case_open(
        client=make_client("Rūta"), channel="email", subject="Starts", programme=office.startup
    )
    ids = [c.pk for c in free] + [janis_case.pk, startup.pk, office.case.pk, 999999]
    plan = bulk_plan(by=office.anna, action=BulkAction.ASSIGN, case_ids=ids, to=office.anna)
    verdict = {i.pk: i.ok for i in plan}
    assert verdict == {
        free[0].pk: True,
        free[1].pk: True,
        janis_case.pk: False,  # a colleague's case: only they or the lead reassign it
        startup.pk: False,  # Anna is not competent for start-up loans
        office.case.pk: False,  # already hers
        999999: False,
    }
    assert "Jānis" not in plan[2].text and janis_case.reference in plan[2].text
    versions = {i.pk: i.version for i in plan}
    done = bulk_apply(by=office.anna, action=BulkAction.ASSIGN, versions=versions, to=office.anna)
    assert [i.ok for i in done] == [True, True, False, False, False, False]
    for case in free:
        case.refresh_from_db()
        assert case.assignee_id == office.anna.pk and case.status == "open"
        assert CaseEvent.objects.filter(case=case, type="case.assigned").count() == 1
    janis_case.refresh_from_db()
    assert janis_case.assignee_id == office.janis.pk
    # Anna changed them herself: not "new since you last looked" for her.
    assert unseen_by(office.anna, list(Case.objects.filter(pk__in=[c.pk for c in free]))) == set()


def test_bulk_refuses_a_case_changed_after_the_confirmation(office):
    free = _unassigned(2)
    plan = bulk_plan(
        by=office.laura,
        action=BulkAction.TRANSFER,
        case_ids=[c.pk for c in free],
        to=office.janis,
        note="Lūdzu, atzvani.",
    )
    # Someone changes the second case between the confirmation page and the click.
    case_set_confidential(case=free[1], by=None, confidential=False, named=[])
    done = bulk_apply(
        by=office.laura,
        action=BulkAction.TRANSFER,
        versions={i.pk: i.version for i in plan},
        to=office.janis,
        note="Lūdzu, atzvani.",
    )
    assert [i.ok for i in done] == [True, False]
    assert free[1].reference in done[1].text
    assert Case.objects.get(pk=free[0].pk).assignee_id == office.janis.pk
    assert Case.objects.get(pk=free[1].pk).assignee_id is None


def test_bulk_transfer_needs_a_note_and_close_follows_the_status_rules(office):
    free = _unassigned(1)
    with pytest.raises(ValidationError):
        bulk_plan(
            by=office.anna, action=BulkAction.TRANSFER, case_ids=[free[0].pk], to=office.janis
        )
    with pytest.raises(ValidationError):
        bulk_plan(by=office.anna, action=BulkAction.CLOSE, case_ids=[])
    office.case.refresh_from_db()
    case_resolve(case=office.case, by=office.anna)
    plan = bulk_plan(by=office.anna, action=BulkAction.CLOSE, case_ids=[office.case.pk, free[0].pk])
    assert [i.ok for i in plan] == [True, True]  # resolved → closed; new → closed
    open_case = case_open(
        client=make_client("Dace"), channel="phone", subject="Atvērta", assignee=office.anna
    )
    case_add_message(case=open_case, direction="in", kind="request", body="?")
    open_case.refresh_from_db()
    case_reply(case=open_case, by=office.anna, body="Atbilde")
    plan = bulk_plan(by=office.anna, action=BulkAction.CLOSE, case_ids=[open_case.pk])
    assert not plan[0].ok and open_case.reference in plan[0].text


def test_bulk_pages_without_javascript(office):
    free = _unassigned(3)
    client = signed_in(office.anna)
    inbox = client.get("/?scope=unassigned").content.decode()
    assert 'name="all_page"' in inbox and inbox.count('name="page_case"') == 3
    # "Choose all on this page" takes the page's cases; one confirmation lists each.
    page = {
        "page_case": [c.pk for c in free],
        "all_page": "1",
        "action": "assign",
        "to": office.anna.pk,
        "return_to": "/?scope=unassigned",
    }
    review = client.post("/inbox/bulk/", page)
    html = review.content.decode()
    assert review.status_code == 200
    assert all(c.reference in html for c in free)
    assert "Apstiprināt 3 lietām" in html
    assert Case.objects.filter(assignee=office.anna).count() == 1  # nothing changed yet
    confirm = {
        "step": "confirm",
        "action": "assign",
        "to": office.anna.pk,
        "case": [c.pk for c in free],
        "return_to": "/?scope=unassigned",
    }
    for c in free:
        confirm[f"version-{c.pk}"] = Case.objects.get(pk=c.pk).version
    done = client.post("/inbox/bulk/", confirm)
    assert done.status_code == 200 and "Mainītas 3 lietas." in done.content.decode()
    assert Case.objects.filter(assignee=office.anna).count() == 4
    # A foreign return address is not followed; no action chosen is said, not guessed.
    bad = client.post("/inbox/bulk/", {"case": [free[0].pk], "return_to": "https://evil.example/"})
    assert bad.status_code == 400 and "evil" not in bad.content.decode()
    assert client.get("/inbox/bulk/").status_code == 302


def test_bulk_quality_manager_is_refused_per_case(office):
    # She reads every case that is not confidential and changes none (cases/access.py).
    dace = make_employee("Dace", "Vītola", quality_manager=True)
    office.case.refresh_from_db()
    case_resolve(case=office.case, by=office.anna)  # closing it is allowed by its status
    plan = bulk_plan(by=dace, action=BulkAction.CLOSE, case_ids=[office.case.pk])
    assert not plan[0].ok and "kvalitātes" in plan[0].text.lower()
    done = bulk_apply(by=dace, action=BulkAction.CLOSE, versions={office.case.pk: None})
    assert not done[0].ok
    assert Case.objects.get(pk=office.case.pk).status == "resolved"
    # Anna may close it: the same request passes for her.
    assert bulk_plan(by=office.anna, action=BulkAction.CLOSE, case_ids=[office.case.pk])[0].ok


# --- 5. live version ------------------------------------------------------------------------------


def test_live_version_changes_with_a_new_or_changed_case_only(office):
    filters = InboxFilters(scope=Scope.TEAM)
    now = timezone.now()
    first = inbox_version(employee=office.anna, filters=filters, now=now)
    assert first == inbox_version(employee=office.anna, filters=filters, now=now)
    case_open(client=make_client("Jauns"), channel="phone", subject="Jauna", assignee=office.janis)
    second = inbox_version(employee=office.anna, filters=filters, now=now)
    assert second != first
    _client_writes(office.case)
    assert inbox_version(employee=office.anna, filters=filters, now=now) != second


def test_live_endpoint_answers_304_until_the_view_changes(office):
    client = signed_in(office.anna)
    first = client.get("/inbox/live/?scope=mine")
    assert first.status_code == 200 and first["ETag"]
    version = first["ETag"]
    assert 'data-version="' in first.content.decode()
    same = client.get("/inbox/live/?scope=mine", HTTP_IF_NONE_MATCH=version)
    assert same.status_code == 304 and same.content == b""
    # The page gives the version of the rows it shows: the same one the live endpoint computes.
    assert f'data-version="{escape(version)}"' in client.get("/?scope=mine").content.decode()
    _client_writes(office.case)
    changed = client.get("/inbox/live/?scope=mine", HTTP_IF_NONE_MATCH=version)
    assert changed.status_code == 200 and changed["ETag"] != version
    assert office.case.subject in changed.content.decode()
    # Another employee's view is theirs: Laura sees no case of Anna's in "mine".
    assert (
        office.case.subject
        not in signed_in(office.laura).get("/inbox/live/?scope=mine").content.decode()
    )


def test_live_query_count_is_one_aggregate_when_unchanged(office, monkeypatch):
    monkeypatch.setattr("charterdesk.calendar.registry.REVISION_CHECK_SECONDS", 3600.0)
    client = signed_in(office.anna)
    version = client.get("/inbox/live/?scope=mine")["ETag"]
    client.get("/inbox/live/?scope=mine", HTTP_IF_NONE_MATCH=version)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/inbox/live/?scope=mine", HTTP_IF_NONE_MATCH=version).status_code == 304
    case_queries = [q["sql"] for q in ctx.captured_queries if "cases_case" in q["sql"]]
    assert len(case_queries) == 1 and f"LIMIT {PAGE_SIZE}" in case_queries[0].upper()
