"""Full-text search over cases: folded words, prefixes, both databases, never LIKE."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charterdesk.cases.models import Case
from charterdesk.cases.services import case_add_message, case_add_note, case_open
from charterdesk.search.models import SearchDocument
from charterdesk.search.query import search_cases
from charterdesk.search.text import fold, query_terms
from tests.factories import make_client, make_employee

pytestmark = pytest.mark.django_db


def found(query: str) -> set[str]:
    return set(search_cases(Case.objects.all(), query).values_list("subject", flat=True))


@pytest.fixture
def cases():
    anna = make_employee()
    ilze = make_client("Ilze Bērziņa", email="ilze@example.lv", phone="+37129123456")
    janis = make_client("Jānis Ozols", email="janis@example.lv")
    a = case_open(client=ilze, channel="email", subject="Aizdevums mājoklim")
    case_add_message(
        case=a, direction="in", kind="request", body="Vēlos uzzināt par garantiju ģimenēm."
    )
    b = case_open(client=janis, channel="phone", subject="Starta programma")
    case_add_note(case=b, by=anna, body="Zvanīja par apgrozāmo kapitālu.")
    c = case_open(client=janis, channel="post", subject="Vēstule par līzingu")
    return a, b, c


def test_fold_drops_latvian_diacritics_and_punctuation():
    assert fold("Bērziņa, Ilze! ĢĶĻŅŠŽ āčēīū") == "berzina ilze gklnsz aceiu"
    assert query_terms("  berz  ; a ") == ["berz"]  # one-letter words are dropped
    assert query_terms("Ozols OZOLS") == ["ozols"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("berzina", {"Aizdevums mājoklim"}),  # without diacritics finds "Bērziņa"
        ("Bērziņa", {"Aizdevums mājoklim"}),
        ("berz", {"Aizdevums mājoklim"}),  # word prefix
        ("gimenem", {"Aizdevums mājoklim"}),  # message text
        ("kapital", {"Starta programma"}),  # internal note
        ("ozols", {"Starta programma", "Vēstule par līzingu"}),  # client name
        ("ozols lizing", {"Vēstule par līzingu"}),  # every word must match
        ("29123456", {"Aizdevums mājoklim"}),  # phone as people type it
        ("ilze@example.lv", {"Aizdevums mājoklim"}),
        ("nav tādas lietas", set()),
        ("!!! ' \" * :", set()),  # query syntax never reaches the database
    ],
)
def test_search_finds(cases, query, expected):
    assert found(query) == expected


def test_reference_typed_whole(cases):
    a = cases[0]
    assert found(a.reference.lower()) == {a.subject}


def test_search_never_uses_like(cases):
    with CaptureQueriesContext(connection) as ctx:
        list(search_cases(Case.objects.all(), "berzina aizdev"))
    sql = " ".join(q["sql"].upper() for q in ctx.captured_queries)
    assert " LIKE " not in sql
    assert ("@@" in sql) if connection.vendor == "postgresql" else ("MATCH" in sql)


def test_rebuild_command_restores_lost_documents(cases):
    SearchDocument.objects.all().delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts")
    assert found("berzina") == set()
    call_command("search_rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert SearchDocument.objects.count() == 3
    assert found("berzina") == {"Aizdevums mājoklim"}
    assert found("kapital") == {"Starta programma"}


@pytest.mark.parametrize("walk", [None, 100, 2])
def test_search_pages_in_deadline_order_across_both_parts(walk, monkeypatch):
    """A search is read in two parts (cases with a deadline, then without: desk/selectors.py);
    paged three at a time it lists every match once, in (deadline NULLS LAST, id) order.

    ``walk``: the words taken as common, so the archive part walks the page's order first
    (search/query.py, ``walk_for_matches``) over that many cases — all of them (100), or too few
    to fill a page (2: it falls back to the index) — and gives the same pages."""
    from datetime import timedelta

    from django.utils import timezone

    from charterdesk.desk import selectors
    from charterdesk.desk.selectors import InboxFilters, Scope, inbox_page
    from charterdesk.search import query

    walked = []
    if walk is not None:
        monkeypatch.setattr(query, "_common", lambda tsquery: True)
        monkeypatch.setattr(query, "WALK", walk)
        real = query.walk_for_matches

        def spy(*args, **kwargs):
            result = real(*args, **kwargs)
            walked.append(result is not None)
            return result

        monkeypatch.setattr(selectors, "walk_for_matches", spy)

    anna = make_employee()
    now = timezone.now()
    client = make_client("Ilze Bērziņa", email="ilze@example.lv")
    made = []
    for i in range(8):
        case = case_open(client=client, channel="email", subject=f"Garantija {i}", assignee=anna)
        due = None if i % 3 == 0 else now + timedelta(hours=(i * 5) % 7)
        Case.objects.filter(pk=case.pk).update(
            next_due_at=due, status="closed" if i == 4 else "open"
        )
        made.append(case.pk)
    other = case_open(client=make_client("Jānis Ozols"), channel="email", subject="Cits")
    cases = Case.objects.filter(pk__in=made)
    expected = [
        c.pk
        for c in sorted(cases, key=lambda c: (c.next_due_at is None, c.next_due_at or now, c.pk))
    ]
    for status, want in (("all", expected), ("active", [pk for pk in expected if pk != made[4]])):
        listed, cursor = [], None
        for _ in range(10):
            page = inbox_page(
                employee=anna,
                filters=InboxFilters(scope=Scope.ALL, status=status, query="berzina"),
                cursor=cursor,
                now=now,
                size=3,
            )
            listed += [c.pk for c in page.cases]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert listed == want, status
        assert other.pk not in listed
    if walk is not None and connection.vendor == "postgresql":
        # The walk settled some pages when it saw every case, and fell back for some when not.
        assert (True in walked) if walk == 100 else (False in walked), walked
