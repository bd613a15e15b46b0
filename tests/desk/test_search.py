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
