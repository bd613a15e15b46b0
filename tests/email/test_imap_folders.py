"""IMAP ``watch`` with several folders against a real Dovecot: IDLE reports only on the selected
folder, so each folder is watched by its own thread and connection; errors are per folder."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from django.db import connections

from charterdesk.channels.email.models import InboundEmail, MailboxFolder
from charterdesk.channels.email.transports import load_backends
from charterdesk.channels.email.transports.imap import ImapMailbox, encode_folder
from tests.email.dovecot import Dovecot, count_errors
from tests.email.messages import build

pytestmark = [pytest.mark.imap, pytest.mark.django_db(transaction=True)]

# Far above how long any test waits: a message seen within seconds was reported by IDLE.
POLL = 300
FAST = 10.0  # seconds within which IDLE must have brought a message in


def wait_for(condition: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def new_folder(dovecot: Dovecot, leaf: str = "Rīga") -> str:
    """A fresh non-ASCII sub-folder (Dovecot's Maildir++ separator is '.'), e.g. t1a2b….Rīga."""
    name = f"t{uuid.uuid4().hex[:10]}.{leaf}"
    client = dovecot.client()
    try:
        typ, data = client.create(encode_folder(name))
        assert typ == "OK", data
    finally:
        client.logout()
    return name


def append(dovecot: Dovecot, folder: str, raw: bytes) -> None:
    client = dovecot.client()
    try:
        typ, data = client.append(encode_folder(folder), None, None, raw)
        assert typ == "OK", data
    finally:
        client.logout()


def mailbox(dovecot: Dovecot, settings, folders: list[str], **extra: object) -> ImapMailbox:
    options: dict[str, object] = {"FOLDERS": folders, "POLL_SECONDS": POLL, **extra}
    settings.CHARTERDESK_EMAIL_INTAKE = dovecot.mailbox_settings(folders[0], **options)
    [backend] = load_backends()
    assert isinstance(backend, ImapMailbox)
    return backend


def stored(folder: str) -> int:
    return InboundEmail.objects.filter(source=f"imap:test/{folder}").count()


def folder_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("imap test/")]


class Watch:
    """``watch`` in its own thread (as ``email watch`` runs it), counting ``after_store`` calls
    and how many of them ever ran at the same time."""

    def __init__(self, box: ImapMailbox, hold: float = 0.0) -> None:
        self.box = box
        self.hold = hold
        self.stop = threading.Event()
        self.calls = 0
        self.inside = 0
        self.most_inside = 0
        self._count = threading.Lock()
        self.thread = threading.Thread(target=self._run, name="watch", daemon=True)

    def after_store(self) -> None:
        with self._count:
            self.calls += 1
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
        time.sleep(self.hold)
        with self._count:
            self.inside -= 1

    def _run(self) -> None:
        try:
            self.box.watch(self.stop, self.after_store)
        finally:
            connections.close_all()

    def __enter__(self) -> Watch:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=15)
        assert not self.thread.is_alive(), "watch did not return after stop"


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch) -> Iterator[None]:
    monkeypatch.setenv("CHARTERDESK_EMAIL_BACKOFF_FIRST", "0.2")
    monkeypatch.setenv("CHARTERDESK_EMAIL_BACKOFF_MAX", "1")
    yield


def first_pass_done(*folders: str) -> Callable[[], bool]:
    return lambda: (
        MailboxFolder.objects.filter(
            mailbox="test", folder__in=folders, checked_at__isnull=False
        ).count()
        == len(folders)
    )


def arrives_fast(dovecot: Dovecot, folder: str, subject: str) -> float:
    before = stored(folder)
    started = time.monotonic()
    append(dovecot, folder, build(subject=subject))
    wait_for(lambda: stored(folder) == before + 1, timeout=FAST + 5, what=f"mail in {folder}")
    return time.monotonic() - started


def test_idle_on_every_folder(dovecot, settings):
    first, second = dovecot.new_folder(), new_folder(dovecot)
    append(dovecot, second, build(subject="jau bija"))
    box = mailbox(dovecot, settings, [first, second])
    with Watch(box) as watch:
        wait_for(first_pass_done(first, second), what="the first pass")
        assert stored(second) == 1 and watch.calls >= 1
        # One thread, with its own connection, per folder.
        assert sorted(t.name for t in folder_threads()) == sorted(
            [f"imap test/{first}", f"imap test/{second}"]
        )
        calls = watch.calls
        # With a 300 s poll interval only IDLE on that very folder can see these this fast.
        assert arrives_fast(dovecot, second, "otrā mapē") < FAST
        assert arrives_fast(dovecot, first, "pirmajā mapē") < FAST
        assert arrives_fast(dovecot, second, "atkal otrā") < FAST
        wait_for(lambda: watch.calls >= calls + 3, timeout=5, what="after_store for each")
    assert MailboxFolder.objects.get(folder=second).last_uid == 3
    assert MailboxFolder.objects.get(folder=first).last_uid == 1
    assert folder_threads() == []


def test_after_store_is_never_called_twice_at_once(dovecot, settings):
    folders = [new_folder(dovecot, leaf) for leaf in ("Rīga", "Cēsis", "Liepāja")]
    box = mailbox(dovecot, settings, folders)
    with Watch(box, hold=0.5) as watch:
        wait_for(first_pass_done(*folders), what="the first pass")
        senders = [
            threading.Thread(target=append, args=(dovecot, folder, build(subject=folder)))
            for folder in folders
        ]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
        wait_for(lambda: all(stored(f) == 1 for f in folders), timeout=FAST, what="all three")
        wait_for(lambda: watch.calls >= 3, timeout=5, what="after_store for each folder")
    assert watch.most_inside == 1


def test_missing_folder_records_its_error_and_the_others_are_watched(dovecot, settings):
    present, missing = new_folder(dovecot), f"t{uuid.uuid4().hex[:10]}.Nav"
    box = mailbox(dovecot, settings, [missing, present])
    with Watch(box):
        wait_for(
            lambda: MailboxFolder.objects.filter(folder=missing).exclude(error="").exists(),
            what="the missing folder's error",
        )
        wait_for(first_pass_done(present), what="the present folder's first pass")
        assert arrives_fast(dovecot, present, "tomēr atnāca") < FAST
        state = MailboxFolder.objects.get(folder=missing)
        assert "cannot open folder" in state.error and missing in state.error
        assert state.checked_at is None and state.last_uid == 0
        assert MailboxFolder.objects.get(folder=present).error == ""
        # The missing folder is tried again (with backoff) and taken once it exists.
        client = dovecot.client()
        try:
            assert client.create(encode_folder(missing))[0] == "OK"
        finally:
            client.logout()
        append(dovecot, missing, build(subject="tagad ir"))
        wait_for(lambda: stored(missing) == 1, timeout=FAST, what="the folder made meanwhile")
        assert MailboxFolder.objects.get(folder=missing).error == ""
        assert len(folder_threads()) == 2


def test_missing_folder_when_polling_without_idle(dovecot, settings):
    """A server without IDLE (here: IDLE off) keeps one connection and polls every folder; a
    folder that cannot be opened is skipped with its own error, not the mailbox's."""
    present, missing = new_folder(dovecot), f"t{uuid.uuid4().hex[:10]}.Nav"
    box = mailbox(dovecot, settings, [missing, present], IDLE=False, POLL_SECONDS=0.3)
    with Watch(box):
        wait_for(first_pass_done(present), what="the present folder's first pass")
        assert folder_threads() == []  # one connection, no thread per folder
        assert "cannot open folder" in MailboxFolder.objects.get(folder=missing).error
        append(dovecot, present, build(subject="aptaujā"))
        wait_for(lambda: stored(present) == 1, timeout=FAST, what="the polled message")
        assert MailboxFolder.objects.get(folder=present).error == ""


def test_stop_ends_every_folder_thread_promptly(dovecot, settings):
    folders = [dovecot.new_folder(), new_folder(dovecot), new_folder(dovecot, "Daugavpils")]
    box = mailbox(dovecot, settings, folders)
    watch = Watch(box).__enter__()
    try:
        wait_for(first_pass_done(*folders), what="the first pass")
        wait_for(lambda: len(folder_threads()) == 3, what="a thread per folder")
    finally:
        started = time.monotonic()
        watch.stop.set()
        watch.thread.join(timeout=15)
    assert not watch.thread.is_alive()
    assert time.monotonic() - started < 3  # IDLE looks at the stop event every second
    assert folder_threads() == []  # watch returned only after every folder thread ended


def test_outage_each_folder_reconnects_and_catches_up(dovecot, settings, monkeypatch):
    refused = count_errors(monkeypatch)
    first, second = new_folder(dovecot, "Jelgava"), new_folder(dovecot)
    box = mailbox(dovecot, settings, [first, second])
    try:
        with Watch(box):
            wait_for(first_pass_done(first, second), what="the first pass")
            # The server goes down with every connection: Dovecot leaves its imap processes
            # (and so our IDLE connections) alive when only the master stops, so end its group.
            assert dovecot.process is not None
            group = dovecot.process.pid  # started in its own session
            dovecot.stop()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
            for folder in (first, second):  # as the MTA delivers while IMAP is down
                dovecot.deliver_to_maildir(encode_folder(folder)[1:-1], build(subject="laikā"))
            wait_for(
                lambda: MailboxFolder.objects.exclude(error="").count() == 2,
                timeout=10,
                what="both folders' connection errors",
            )
            # Each folder tries again with backoff and is refused at least once more.
            seen = {folder: refused[folder] for folder in (first, second)}
            wait_for(
                lambda: all(refused[f] > seen[f] for f in (first, second)),
                timeout=30,
                what="each folder's refused reconnection",
            )
            dovecot.start()
            wait_for(
                lambda: stored(first) == 1 and stored(second) == 1,
                timeout=FAST,
                what="both folders to catch up",
            )
            # Reconnected to IDLE, not polling: new mail still arrives at once.
            assert arrives_fast(dovecot, second, "pēc") < FAST
    finally:
        dovecot.start()
    assert not MailboxFolder.objects.exclude(error="").exists()
