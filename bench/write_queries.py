"""Query counts of the write path: opening a case page in the desk, one inbound e-mail through
intake (a new case, and a reply on a case), ``case_open`` and an inbound ``case_add_message``.

Run (the same file in another checkout measures that checkout)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cd_NAME \\
        .venv/bin/pytest bench/write_queries.py -q -s -p no:cacheprovider

Each figure is counted after a warm-up of the same action (policy, calendar and template caches
filled), with Django's ``CaptureQueriesContext``.  ``tests/core/test_write_queries.py`` holds the
figures of 2026-12-01 as upper bounds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def count(action: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


def measure() -> dict[str, int]:
    from charterdesk.cases.models import Case
    from charterdesk.cases.services import case_add_message, case_open
    from charterdesk.channels.email.intake.process import process_pending
    from charterdesk.channels.email.intake.store import RawMail, store_raw
    from tests.desk.conftest import build_office, signed_in
    from tests.email.messages import build
    from tests.factories import make_client

    office = build_office()
    http = signed_in(office.anna)
    url = reverse("case", args=[office.case.pk])
    assert http.get(url).status_code == 200  # warm-up
    figures = {"desk: case page": count(lambda: http.get(url))}

    def take_in(raw: bytes) -> int:
        store_raw([RawMail(raw, "bench")])
        return count(lambda: process_pending(workers=0))

    take_in(build(sender="warm@example.lv", subject="Sveiki"))  # warm-up
    figures["intake: new e-mail, new case"] = take_in(
        build(sender="Jauns Klients <jauns@example.lv>", subject="Jautājums par aizdevumu")
    )
    reference = Case.objects.order_by("-pk").first().reference  # type: ignore[union-attr]
    figures["intake: reply on its case"] = take_in(
        build(sender="jauns@example.lv", subject=f"Re: Jautājums [{reference}]")
    )
    client = make_client(email="svc@example.lv")
    case_open(client=client, channel="email", subject="warm")  # warm-up
    holder: list[Any] = []
    figures["service: case_open"] = count(
        lambda: holder.append(case_open(client=client, channel="email", subject="Aizdevums"))
    )
    case = holder[0]
    case_add_message(case=case, direction="in", kind="request", body="warm", channel="email")
    figures["service: case_add_message (in)"] = count(
        lambda: case_add_message(
            case=case, direction="in", kind="request", body="Labdien", channel="email"
        )
    )
    return figures


def test_print_the_query_counts() -> None:
    figures = measure()
    print()
    for name, value in figures.items():
        print(f"  {name:34} {value:3d} queries")
