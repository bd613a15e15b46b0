"""IMAP intake against a real Dovecot: by UID whatever the \\Seen flag, UIDVALIDITY, IDLE, outage."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from django.db import connection, connections

from charterdesk.cases.models import Case, Message
from charterdesk.channels.email.intake.process import process_pending
from charterdesk.channels.email.models import InboundEmail, InboundState, MailboxFolder
from charterdesk.channels.email.transports import load_backends
from charterdesk.channels.email.transports.imap import ImapMailbox, encode_folder
from charterdesk.channels.email.transports.lmtp import ProcessingThread
from tests.email.dovecot import Dovecot, count_errors
from tests.email.messages import build

pytestmark = pytest.mark.imap


def mailbox(dovecot: Dovecot, folder: str, settings, **extra: object) -> ImapMailbox:
    settings.CHARTERDESK_EMAIL_INTAKE = dovecot.mailbox_settings(folder, **extra)
    [backend] = load_backends()
    assert isinstance(backend, ImapMailbox)
    return backend


def wait_for(condition: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_folder_names_are_modified_utf7():
    assert encode_folder("INBOX") == '"INBOX"'
    assert encode_folder("Pieteikumi/Mājokļi") == '"Pieteikumi/M&AQE-jok&ATw-i"'
    assert encode_folder("A&B") == '"A&-B"'


@pytest.mark.django_db
def test_fetch_takes_every_message_whatever_its_seen_flag(dovecot, settings):
    folder = dovecot.new_folder()
    dovecot.append(folder, [build(subject="lasīts")], flags="(\\Seen)")
    dovecot.append(folder, [build(subject="nelasīts"), build(subject="trešais")])
    box = mailbox(dovecot, folder, settings)
    assert box.fetch() == 3
    process_pending(workers=0)
    assert sorted(Case.objects.values_list("subject", flat=True)) == [
        "lasīts",
        "nelasīts",
        "trešais",
    ]
    state = MailboxFolder.objects.get(mailbox="test", folder=folder)
    assert state.last_uid == 3 and state.uidvalidity > 0
    assert box.fetch() == 0  # nothing new
    dovecot.append(folder, [build(subject="ceturtais")])
    assert box.fetch() == 1
    # The mailbox is not changed: the unread message is still unread.
    client = dovecot.client()
    client.select(folder, readonly=True)
    _typ, unseen = client.search(None, "UNSEEN")
    client.logout()
    assert len(unseen[0].split()) == 3


@pytest.mark.django_db
def test_new_uidvalidity_reads_the_folder_again_without_doubling(dovecot, settings):
    folder = dovecot.new_folder()
    first = [build(subject=f"Nr. {i}") for i in range(3)]
    dovecot.append(folder, first)
    box = mailbox(dovecot, folder, settings)
    box.fetch()
    old = MailboxFolder.objects.get(folder=folder).uidvalidity
    dovecot.recreate(folder)
    dovecot.append(folder, [*first, build(subject="jauns")])
    assert box.fetch() == 1
    state = MailboxFolder.objects.get(folder=folder)
    assert state.uidvalidity != old and state.last_uid == 4
    process_pending(workers=0)
    assert Case.objects.count() == 4 and InboundEmail.objects.count() == 4


@pytest.mark.django_db
def test_large_folder_is_fetched_in_chunks(dovecot, settings):
    folder = dovecot.new_folder()
    dovecot.append(folder, [build(subject=f"Nr. {i}") for i in range(25)])
    box = mailbox(dovecot, folder, settings, FETCH_BATCH=7)
    assert box.fetch() == 25
    assert MailboxFolder.objects.get(folder=folder).last_uid == 25


@pytest.mark.django_db
def test_fetch_command(dovecot, settings):
    from django.core.management import call_command

    folder = dovecot.new_folder()
    dovecot.append(folder, [build(), build(subject="otrs")])
    settings.CHARTERDESK_EMAIL_INTAKE = dovecot.mailbox_settings(folder)
    call_command("email", "fetch")
    assert Case.objects.count() == 2


class Watcher:
    """``ImapMailbox.watch`` in a thread with the processing thread, as ``email watch`` runs."""

    def __init__(self, box: ImapMailbox) -> None:
        self.stop = threading.Event()
        self.worker = ProcessingThread(lambda: process_pending(workers=0), interval=1.0)
        self.thread = threading.Thread(target=self._run, args=(box,), name="watch", daemon=True)

    def _run(self, box: ImapMailbox) -> None:
        try:
            box.watch(self.stop, self.worker.wake.set)
        finally:
            connections.close_all()

    def __enter__(self) -> Watcher:
        self.worker.start()
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=15)
        self.worker.stop.set()
        self.worker.wake.set()
        self.worker.join(timeout=15)


@pytest.fixture
def fast_backoff(monkeypatch) -> Iterator[None]:
    monkeypatch.setenv("CHARTERDESK_EMAIL_BACKOFF_FIRST", "0.2")
    monkeypatch.setenv("CHARTERDESK_EMAIL_BACKOFF_MAX", "1")
    yield


def _processed() -> int:
    return InboundEmail.objects.filter(state=InboundState.PROCESSED).count()


@pytest.mark.django_db(transaction=True)
def test_watch_uses_idle_and_takes_new_mail_at_once(dovecot, settings, fast_backoff):
    folder = dovecot.new_folder()
    box = mailbox(dovecot, folder, settings, POLL_SECONDS=300)
    with Watcher(box):
        wait_for(lambda: MailboxFolder.objects.filter(folder=folder).exists(), what="first pass")
        started = time.monotonic()
        dovecot.append(folder, [build(subject="IDLE")])
        wait_for(lambda: _processed() == 1, what="the message")
        # With a 300 s poll interval only IDLE can have noticed it this fast.
        assert time.monotonic() - started < 10
    assert Case.objects.get().subject == "IDLE"


@pytest.mark.django_db(transaction=True)
def test_watch_polls_when_idle_is_off(dovecot, settings, fast_backoff):
    folder = dovecot.new_folder()
    box = mailbox(dovecot, folder, settings, IDLE=False, POLL_SECONDS=0.5)
    with Watcher(box):
        dovecot.append(folder, [build(subject="poll")])
        wait_for(lambda: _processed() == 1, what="the polled message")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_outage_everything_delivered_meanwhile_arrives(
    dovecot, settings, fast_backoff, monkeypatch
):
    refused = count_errors(monkeypatch)
    """The IMAP server stops in the middle of a stream and comes back: every message delivered
    before, during (straight into the Maildir, as the MTA does) and after arrives exactly once."""
    if connection.vendor == "sqlite":
        pytest.skip(
            "three threads writing one in-memory SQLite database lock each other out; "
            "the outage test runs on PostgreSQL"
        )
    folder = dovecot.new_folder()
    box = mailbox(dovecot, folder, settings, POLL_SECONDS=300, FETCH_BATCH=25)
    before = [build(subject=f"pirms {i}", sender=f"b{i}@example.lv") for i in range(150)]
    during = [build(subject=f"laikā {i}", sender=f"d{i}@example.lv") for i in range(40)]
    after = [build(subject=f"pēc {i}", sender=f"a{i}@example.lv") for i in range(40)]
    dovecot.append(folder, before)
    try:
        with Watcher(box):
            # Stop the server while the watcher is still fetching the first messages.
            wait_for(lambda: InboundEmail.objects.exists(), what="the stream to start")
            dovecot.stop()
            stored_at_stop = InboundEmail.objects.count()
            for raw in during:
                dovecot.deliver_to_maildir(folder, raw)
            # The watcher tries to reconnect with backoff and is refused, at least twice.
            wait_for(lambda: refused[folder] >= 2, timeout=30, what="refused reconnections")
            dovecot.start()
            dovecot.append(folder, after)
            wait_for(lambda: _processed() == 230, timeout=60, what="all 230 messages")
    finally:
        dovecot.start()
    # The old connection died with the server, so the messages sent after the restart prove
    # the watcher reconnected; the ones written meanwhile prove it caught up.
    assert stored_at_stop < 230
    assert InboundEmail.objects.count() == 230
    assert Case.objects.count() == 230 and Message.objects.count() == 230
    subjects = set(Case.objects.values_list("subject", flat=True))
    assert {f"laikā {i}" for i in range(40)} <= subjects
    assert MailboxFolder.objects.get(folder=folder).last_uid == 230
