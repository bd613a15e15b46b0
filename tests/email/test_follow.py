"""Processing while storing (``intake.follow``): ``process_pending`` in follow mode takes rows as
they are stored, and after storing ends a last pass from the start takes rows committed out of id
order; ``email import`` runs it in a second process on PostgreSQL outside a transaction and
processes what is left itself when that process fails."""

from __future__ import annotations

import hashlib
import mailbox
import multiprocessing
import os
import signal
import time
from collections import Counter
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from charterdesk.cases.models import Message
from charterdesk.channels.email.intake import follow as follow_module
from charterdesk.channels.email.intake.follow import Follower, can_follow
from charterdesk.channels.email.intake.process import ProcessStats, process_pending
from charterdesk.channels.email.intake.store import RawMail, store_raw
from charterdesk.channels.email.management.commands import email as email_command
from charterdesk.channels.email.models import InboundEmail, InboundState
from tests.email.messages import build


def _store(*raws: bytes) -> list[int]:
    store_raw([RawMail(raw, "test") for raw in raws])
    return list(
        InboundEmail.objects.filter(sha256__in=[_sha(raw) for raw in raws])
        .order_by("id")
        .values_list("id", flat=True)
    )


def _sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _state(pk: int) -> str:
    return InboundEmail.objects.values_list("state", flat=True).get(pk=pk)


# --- process_pending in follow mode, in this process ----------------------------------------------


@pytest.mark.django_db
def test_follow_mode_takes_what_is_stored_meanwhile_and_a_late_low_id_in_the_last_pass():
    """``follow`` itself stores: a message per round, a reply to the first round's message in a
    later round, and a row whose id lies below everything processed so far (committed out of id
    order).  Every one ends processed; the low row only in the pass after following ends."""
    # A free id below every later row: stored first, deleted before anything is processed.
    (gap,) = _store(build(subject="vieta", sender="vieta@example.lv"))
    first = _store(*[build(subject=f"Sākums {i}", sender=f"s{i}@example.lv") for i in range(3)])
    InboundEmail.objects.filter(pk=gap).delete()

    rounds: list[list[bytes]] = [
        [build(message_id="<r1@example.lv>", sender="anna@example.lv", subject="Pirmā kārta")],
        [build(subject="Otrā kārta", sender="bruno@example.lv")],
        [build(in_reply_to="<r1@example.lv>", sender="anna@example.lv", subject="Re: Pirmā kārta")],
        [],  # the late, low row is stored here (below)
        [],
    ]
    late_raw = build(subject="Vēlā rinda", sender="vela@example.lv")
    stored: list[int] = []
    calls = 0
    late_seen_while_following: list[str] = []

    def follow() -> bool:
        nonlocal calls
        calls += 1
        if calls - 1 < len(rounds):
            raws = rounds[calls - 1]
            if raws:
                stored.extend(_store(*raws))
            if calls - 1 == 3:
                # Committed out of order: the row gets an id below every processed row.
                (late,) = _store(late_raw)
                InboundEmail.objects.filter(pk=late).update(id=gap)
                stored.append(gap)
            elif calls - 1 > 3:
                late_seen_while_following.append(_state(gap))
            return True
        return False

    stats = process_pending(workers=0, batch_size=2, follow=follow)

    assert calls > len(rounds)  # consulted once per round, and once more to end
    every = first + stored
    assert gap < min(first) and gap in every
    assert stats.processed == len(every) == 7
    rows = InboundEmail.objects.filter(pk__in=every)
    assert {row.state for row in rows} == {InboundState.PROCESSED}
    assert all(row.case_id and row.case_message_id for row in rows)
    assert Message.objects.filter(inbound_emails__pk__in=every).count() == 7
    # While following, the cursor is past the low row: only the last pass took it.
    assert late_seen_while_following == [InboundState.STORED]
    # A reply stored in a later round threads onto the case the first round opened.
    original = InboundEmail.objects.get(message_id="<r1@example.lv>")
    reply = InboundEmail.objects.get(subject="Re: Pirmā kārta")
    assert reply.case_id == original.case_id
    assert InboundEmail.objects.filter(case_id=original.case_id).count() == 2


@pytest.mark.django_db
def test_follow_mode_waits_while_nothing_is_stored(monkeypatch):
    """An empty claim does not end following: it waits and looks again, as often as ``follow``
    says storing goes on, and what is stored after several empty looks is still taken."""
    from charterdesk.channels.email.intake import process as process_module

    slept: list[float] = []
    monkeypatch.setattr(process_module, "time", SimpleNamespace(sleep=slept.append))
    answers = iter([True, True, True, "store", True, False])
    later = build(subject="Pēc gaidīšanas", sender="gaida@example.lv")
    stored: list[int] = []

    def follow() -> bool:
        answer = next(answers)
        if answer == "store":
            stored.extend(_store(later))
            return True
        return bool(answer)

    stats = process_pending(workers=0, follow=follow)

    assert stats.processed == 1 and _state(stored[0]) == InboundState.PROCESSED
    # every True answer came from an empty look, and each was followed by one wait
    assert slept == [process_module.FOLLOW_WAIT] * 5


# --- the command, with the second process ---------------------------------------------------------


def _maildir(path, count: int):
    box = mailbox.Maildir(str(path), create=True)
    raws = [build(subject=f"Imports {i}", sender=f"k{i}@example.lv") for i in range(count)]
    for raw in raws:
        box.add(raw)
    return path, raws


def _run(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("email", *args, stdout=out)
    return out.getvalue()


def _assert_each_once(raws: list[bytes]) -> None:
    rows = list(InboundEmail.objects.all())
    assert len(rows) == len(raws)
    assert {row.state for row in rows} == {InboundState.PROCESSED}
    ids = {row.message_id for row in rows}
    assert len(ids) == len(raws)
    per_id = Counter(
        Message.objects.filter(message_id__in=ids).values_list("message_id", flat=True)
    )
    assert per_id == Counter(dict.fromkeys(ids, 1))  # each message on a case exactly once
    assert len({row.case_message_id for row in rows}) == len(raws)


class _Recorded:
    """Follower wrappers put into the command; what they did is kept here."""

    started: list[Follower]
    finished: list[ProcessStats | None]

    def __init__(self) -> None:
        self.started = []
        self.finished = []


@pytest.fixture
def recorded(monkeypatch):
    record = _Recorded()

    class Recording(Follower):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            record.started.append(self)

        def finish(self) -> ProcessStats | None:
            stats = super().finish()
            record.finished.append(stats)
            return stats

    monkeypatch.setattr(email_command, "Follower", Recording)
    monkeypatch.setattr(email_command, "STORE_CHUNK", 20)
    monkeypatch.setattr(email_command, "FOLLOW_FROM", 40)
    return record


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "processing beside storing runs only on PostgreSQL (on SQLite the two processes "
            "would wait for each other); these tests run on PostgreSQL"
        )


def _wait_for(condition, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _stored_left() -> int:
    return InboundEmail.objects.filter(state=InboundState.STORED).count()


@pytest.mark.parametrize(
    ("count", "waits"),
    [
        # a source of FOLLOW_FROM messages or more (patched to 40 here, 2,000 in use): the
        # second process starts before the first chunk is stored; a smaller source starts no
        # process at all (tests/email/test_command.py::test_a_small_import_starts_no_process)
        (70, [0, 20, 40, 60]),
        (40, [0, 20]),
    ],
)
@pytest.mark.django_db(transaction=True)
def test_import_processes_in_a_second_process_beside_storing(
    tmp_path, recorded, monkeypatch, count, waits
):
    """Messages stored 20 per chunk while a second process processes them: each chunk is stored
    only after that process has taken everything stored before it (so it must keep following a
    table with nothing to take), and its counts are what the command reports."""
    _postgresql_only()
    assert can_follow()  # PostgreSQL, no transaction open, and this machine has several cores
    path, raws = _maildir(tmp_path / "Maildir", count)
    real_store = email_command.store_raw
    processed_before_next_chunk: list[int] = []

    def store_after_the_follower_caught_up(chunk: list[RawMail], **kwargs: Any) -> Any:
        if recorded.started:
            _wait_for(lambda: _stored_left() == 0, "the second process to take the stored rows")
            processed_before_next_chunk.append(InboundEmail.objects.count())
        return real_store(chunk, **kwargs)

    monkeypatch.setattr(email_command, "store_raw", store_after_the_follower_caught_up)

    out = _run("import", str(path))

    assert processed_before_next_chunk == waits
    assert f"Stored {count} new messages" in out
    assert f"Processed {count}: {count} taken in, 0 to quarantine, 0 duplicates" in out
    # The counts came back from the second process: it processed them all, the command none.
    assert len(recorded.started) == 1
    (stats,) = recorded.finished
    assert isinstance(stats, ProcessStats) and stats.processed == stats.total == count
    _assert_each_once(raws)


@pytest.mark.django_db
def test_import_inside_a_transaction_processes_here(tmp_path, recorded):
    """In a transaction the other process could not see the stored rows: no second process, and
    the command processes everything itself (on SQLite too)."""
    assert connection.in_atomic_block or connection.vendor != "postgresql"
    assert not can_follow()
    path, raws = _maildir(tmp_path / "Maildir", 70)

    out = _run("import", str(path))

    assert recorded.started == [] and recorded.finished == []
    assert "Stored 70 new messages" in out and "Processed 70: 70 taken in" in out
    _assert_each_once(raws)


@pytest.mark.imap
@pytest.mark.django_db(transaction=True)
def test_fetch_processes_in_a_second_process_beside_storing(dovecot, settings, recorded):
    """``email fetch`` of 70 messages, 20 per stored chunk: the second process starts after the
    first chunk and its counts are the command's report."""
    _postgresql_only()
    folder = dovecot.new_folder()
    raws = [build(subject=f"IMAP {i}", sender=f"i{i}@example.lv") for i in range(70)]
    dovecot.append(folder, raws)
    settings.CHARTERDESK_EMAIL_INTAKE = dovecot.mailbox_settings(folder, FETCH_BATCH=20)

    out = _run("fetch")

    assert "test: 70 new messages stored." in out
    assert "Processed 70: 70 taken in, 0 to quarantine, 0 duplicates" in out
    assert len(recorded.started) == 1
    (stats,) = recorded.finished
    assert isinstance(stats, ProcessStats) and stats.processed == 70
    _assert_each_once(raws)


@pytest.mark.django_db(transaction=True)
def test_a_second_process_that_cannot_work_leaves_the_processing_to_the_command(
    tmp_path, recorded, monkeypatch, caplog
):
    """The second process gets database settings it cannot connect with, so it fails before
    processing anything; the command notices and processes every message itself."""
    _postgresql_only()
    real = connection.settings_dict

    class Unreachable:
        """The command's connection, except that the settings handed to the child name a
        database that does not exist."""

        vendor = connection.vendor

        @property
        def in_atomic_block(self) -> bool:
            return connection.in_atomic_block

        @property
        def settings_dict(self) -> dict[str, Any]:
            return {**real, "NAME": f"{real['NAME']}_missing"}

    monkeypatch.setattr(follow_module, "connection", Unreachable())
    path, raws = _maildir(tmp_path / "Maildir", 70)

    out = _run("import", str(path))

    assert len(recorded.started) == 1
    assert recorded.finished == [None]  # the child sent no counts
    assert "processing here instead" in caplog.text
    assert "Stored 70 new messages" in out and "Processed 70: 70 taken in" in out
    _assert_each_once(raws)


@pytest.mark.django_db(transaction=True)
def test_a_second_process_killed_midway_leaves_the_rest_to_the_command(tmp_path, monkeypatch):
    """The second process is killed (SIGKILL) while it works through the stored rows, possibly in
    the middle of a batch: the command processes every row it left, none twice."""
    _postgresql_only()
    monkeypatch.setattr(email_command, "STORE_CHUNK", 20)
    monkeypatch.setattr(email_command, "FOLLOW_FROM", 40)
    finished: list[ProcessStats | None] = []
    killed_at: list[int] = []

    class Killed(Follower):
        def finish(self) -> ProcessStats | None:
            try:
                _wait_for(
                    lambda: InboundEmail.objects.exclude(state=InboundState.STORED).count() >= 10,
                    "the second process to start processing",
                )
                (child,) = [
                    p
                    for p in multiprocessing.active_children()
                    if p.name == "charterdesk-email-process"
                ]
                os.kill(child.pid, signal.SIGKILL)
                killed_at.append(_stored_left())
            finally:  # never leaves the child waiting
                stats = super().finish()
            finished.append(stats)
            return stats

    monkeypatch.setattr(email_command, "Follower", Killed)
    path, raws = _maildir(tmp_path / "Maildir", 100)

    out = _run("import", str(path), "--batch", "5")

    assert finished == [None]
    assert killed_at[0] > 0  # it was killed with work left
    assert "Stored 100 new messages" in out
    _assert_each_once(raws)
