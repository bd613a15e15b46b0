"""Two openings at once never share a reference (real PostgreSQL, real threads and connections)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from charterdesk.cases import services as cs
from charterdesk.cases.errors import ConcurrentChange
from charterdesk.cases.models import Case
from tests.factories import make_client, make_employee


def _run_threads(target, n):
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def worker(i):
        try:
            barrier.wait()
            target(i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_openings_get_distinct_consecutive_references():
    if connection.vendor != "postgresql":
        pytest.skip("needs a server database with concurrent connections (runs on PostgreSQL)")
    client = make_client()
    per_thread, threads = 25, 8

    def open_many(i):
        for _ in range(per_thread):
            cs.case_open(client=client, channel="email", subject=f"t{i}")

    errors = _run_threads(open_many, threads)
    assert not errors, errors
    refs = list(Case.objects.values_list("reference", flat=True))
    assert len(refs) == len(set(refs)) == per_thread * threads
    numbers = sorted(int(r.rsplit("-", 1)[1]) for r in refs)
    assert numbers == list(range(numbers[0], numbers[0] + per_thread * threads))


@pytest.mark.django_db(transaction=True)
def test_two_employees_one_case_exactly_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("needs a server database with concurrent connections (runs on PostgreSQL)")
    case = cs.case_open(client=make_client(), channel="email", subject="x")
    a, b = make_employee("Anna"), make_employee("Jānis")
    version = case.version
    outcomes: list[str] = []

    def act(i):
        try:
            cs.case_add_note(case=case, by=(a, b)[i], body=f"note {i}", expected_version=version)
            outcomes.append("ok")
        except ConcurrentChange:
            outcomes.append("conflict")

    errors = _run_threads(act, 2)
    assert not errors
    assert sorted(outcomes) == ["conflict", "ok"]
    assert case.messages.count() == 1
