"""``copy_insert``: rows written with COPY (PostgreSQL) or ``bulk_create`` (SQLite) read back
exactly as ``save`` would have written them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from charterdesk.cases.models import Case, Channel
from charterdesk.cases.status import Status
from charterdesk.channels.email.models import InboundEmail
from charterdesk.clients.models import Client
from charterdesk.core.bulk import copy_insert

pytestmark = pytest.mark.django_db


def test_raw_bytes_json_and_moments_read_back_unchanged():
    raw = bytes(range(256)) * 40 + b"\x00'\\\n\t"  # every byte value, quotes, NUL
    at = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night the clocks change in Riga
    rows = [
        InboundEmail(
            sha256=f"{n:064x}",
            message_id=f"<{n}@example.lv>",
            raw=raw[n:],
            size=len(raw) - n,
            source="test",
            envelope={"rcpt_tos": ["majokli@altum.lv"], "note": "Ā'\"\\ \u2028", "n": n},
            received_at=at,
            stored_at=timezone.now(),
        )
        for n in range(3)
    ]
    copy_insert(rows, with_pks=True)
    assert all(row.pk is not None for row in rows)
    for n, row in enumerate(rows):
        stored = InboundEmail.objects.get(pk=row.pk)
        assert bytes(stored.raw) == raw[n:]
        assert stored.envelope == {
            "rcpt_tos": ["majokli@altum.lv"],
            "note": "Ā'\"\\ \u2028",
            "n": n,
        }
        assert stored.received_at == at
        assert stored.state == "stored" and stored.attempts == 0  # the model's defaults
        assert stored.case_id is None


def test_parents_saved_in_the_same_way_give_their_ids_to_children():
    clients = [Client(name=f"Klients {n}", email=f"k{n}@Example.LV") for n in range(3)]
    now = timezone.now()
    cases = [  # built while their clients have no id yet, as the e-mail intake does
        Case(
            reference=f"ALT-2026-{n:06d}",
            subject="Jautājums",
            client=client,
            channel=Channel.EMAIL,
            status=Status.NEW,
            language="lv",
            created_at=now,
            updated_at=now,
        )
        for n, client in enumerate(clients, start=1)
    ]
    copy_insert(clients, with_pks=True)
    # The e-mail field's own preparation still applies (domain lower-cased, as ``save`` does).
    assert sorted(Client.objects.values_list("email", flat=True)) == [
        f"k{n}@example.lv" for n in range(3)
    ]
    copy_insert(cases, with_pks=True)
    assert [c.pk for c in cases] == sorted(c.pk for c in cases)
    stored = dict(Case.objects.values_list("reference", "client_id"))
    assert stored == {f"ALT-2026-{n:06d}": clients[n - 1].pk for n in range(1, 4)}
    # The sequence moved on: a later ordinary save does not collide.
    later = Client.objects.create(name="Vēlāk", email="later@example.lv")
    assert later.pk > max(c.pk for c in clients)


def test_nothing_to_write_writes_nothing():
    assert copy_insert([]) == []
    assert InboundEmail.objects.count() == 0
