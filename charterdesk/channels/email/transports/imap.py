"""IMAP intake: read each folder by UID, never by the \\Seen flag, and never lose the place.

- The folder is opened read-only (``EXAMINE``) and bodies are fetched with ``BODY.PEEK[]``: the
  mailbox is not changed, so people may read it in their own mail program too.
- Per folder the last UID taken in and the UIDVALIDITY are stored (``MailboxFolder``), in the same
  transaction as the raw messages of each chunk: a crash never skips a message, and at worst
  fetches a chunk again (the content hash makes that a no-op).  A changed UIDVALIDITY (folder
  recreated) starts the folder over; again the hash drops what was already stored.
- ``watch`` waits with IDLE where the server offers it (polling otherwise), and after an outage
  reconnects with exponential backoff and catches up from the last UID.  IDLE only reports on the
  selected folder, so a mailbox with several folders on a server with IDLE is watched by one
  thread per folder, each with its own connection, backoff and error (``MailboxFolder.error``): a
  folder that cannot be opened does not keep the others from being watched.
"""

from __future__ import annotations

import base64
import contextlib
import imaplib
import logging
import random
import re
import select
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone

from charterdesk.channels.email import conf
from charterdesk.channels.email.intake.store import RawMail, store_raw
from charterdesk.channels.email.models import MailboxFolder

log = logging.getLogger(__name__)

_FETCH_HEAD = re.compile(rb"UID (\d+)")
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
# Chunks of one FETCH: at most this many bytes (and FETCH_BATCH messages) in memory at once.
CHUNK_BYTES = 32 * 1024 * 1024
IDLE_SECONDS = 25 * 60  # RFC 2177: re-issue IDLE at least every 29 minutes

NETWORK_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    EOFError,
    ssl.SSLError,
    imaplib.IMAP4.error,
    imaplib.IMAP4.abort,
)
WATCH_ERRORS: tuple[type[Exception], ...] = (*NETWORK_ERRORS, DatabaseError)


class FolderError(imaplib.IMAP4.error):
    """A folder cannot be opened (missing, no rights): that folder's failure, not the mailbox's."""


def encode_folder(name: str) -> str:
    """A folder name as IMAP wants it: modified UTF-7 (RFC 3501 5.1.3), quoted."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            data = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(data).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    text = "".join(out).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _internaldate(meta: bytes) -> datetime | None:
    match = _INTERNALDATE.search(meta)
    if not match:
        return None
    try:
        return datetime.strptime(match.group(1).decode(), "%d-%b-%Y %H:%M:%S %z").astimezone(UTC)
    except ValueError:
        return None


class ImapMailbox:
    """One IMAP account from ``CHARTERDESK_EMAIL_INTAKE``."""

    def __init__(self, name: str, options: dict[str, Any]) -> None:
        self.name = name
        self.options = options
        # Told how many new messages each stored chunk had (``email fetch`` starts processing
        # beside a large fetch with it).
        self.on_stored: Callable[[int], None] | None = None
        # Each folder once: a folder named twice would be watched by two threads.
        self.folders: list[str] = list(dict.fromkeys(options.get("FOLDERS") or ["INBOX"]))
        self.batch = int(options.get("FETCH_BATCH", 200))

    # --- connection ----------------------------------------------------------------------------
    def connect(self) -> imaplib.IMAP4:
        host, port = self.options["HOST"], int(self.options["PORT"])
        security = str(self.options.get("SECURITY", "ssl")).lower()
        timeout = float(self.options.get("TIMEOUT", 60))
        client: imaplib.IMAP4
        if security == "ssl":
            client = imaplib.IMAP4_SSL(
                host, port, ssl_context=ssl.create_default_context(), timeout=timeout
            )
        else:
            client = imaplib.IMAP4(host, port, timeout=timeout)
            if security == "starttls":
                client.starttls(ssl.create_default_context())
        try:
            client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            client.login(self.options["USER"], self.options["PASSWORD"])
        except Exception:
            _close(client)
            raise
        return client

    def supports_idle(self, client: imaplib.IMAP4) -> bool:
        return bool(self.options.get("IDLE", True)) and "IDLE" in client.capabilities

    # --- fetching ------------------------------------------------------------------------------
    def _select(self, client: imaplib.IMAP4, folder: str) -> int:
        typ, data = client.select(encode_folder(folder), readonly=True)
        if typ != "OK":
            detail = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")
            raise FolderError(f"{self.name}: cannot open folder {folder!r}: {detail or typ}")
        _typ, values = client.response("UIDVALIDITY")
        return int(values[0]) if values and values[0] else 0

    def _new_uids(self, client: imaplib.IMAP4, after: int) -> list[tuple[int, int]]:
        """``(uid, size)`` of every message with a UID above ``after``, in UID order."""
        typ, data = client.uid("FETCH", f"{after + 1}:*", "(UID RFC822.SIZE)")
        if typ != "OK":
            raise imaplib.IMAP4.error(f"{self.name}: UID FETCH failed: {data!r}")
        found: list[tuple[int, int]] = []
        for item in data:
            line = item[0] if isinstance(item, tuple) else item
            if not isinstance(line, bytes):
                continue
            uid, size = _FETCH_HEAD.search(line), _SIZE.search(line)
            if uid and int(uid.group(1)) > after:  # "n:*" also answers the last UID when below n
                found.append((int(uid.group(1)), int(size.group(1)) if size else 0))
        return sorted(set(found))

    def _chunks(self, uids: list[tuple[int, int]]) -> Iterator[list[int]]:
        chunk: list[int] = []
        total = 0
        for uid, size in uids:
            if chunk and (len(chunk) >= self.batch or total + size > CHUNK_BYTES):
                yield chunk
                chunk, total = [], 0
            chunk.append(uid)
            total += size
        if chunk:
            yield chunk

    def fetch_folder(self, client: imaplib.IMAP4, folder: str) -> int:
        """Store every message of ``folder`` not taken in yet; returns how many were new."""
        uidvalidity = self._select(client, folder)
        state, _created = MailboxFolder.objects.get_or_create(mailbox=self.name, folder=folder)
        last = state.last_uid
        if state.uidvalidity != uidvalidity:
            if state.uidvalidity:
                log.warning(
                    "%s/%s: UIDVALIDITY changed %s -> %s; reading the folder again",
                    self.name,
                    folder,
                    state.uidvalidity,
                    uidvalidity,
                )
            last = 0
        new = 0
        source = f"imap:{self.name}/{folder}"
        envelope: dict[str, Any] = {}
        if self.options.get("PROGRAMME"):
            envelope["programme"] = self.options["PROGRAMME"]
        for chunk in self._chunks(self._new_uids(client, last)):
            typ, data = client.uid(
                "FETCH", ",".join(str(u) for u in chunk), "(UID INTERNALDATE BODY.PEEK[])"
            )
            if typ != "OK":
                raise imaplib.IMAP4.error(f"{self.name}: FETCH failed: {data!r}")
            mails: list[RawMail] = []
            top = last
            for index, item in enumerate(data):
                if not isinstance(item, tuple):
                    continue
                meta, raw = item[0], item[1]
                # Servers may put UID / INTERNALDATE after the literal: ``BODY[] {n}`` … `` UID 5)``.
                after = data[index + 1] if index + 1 < len(data) else b""
                if isinstance(after, bytes):
                    meta = meta + b" " + after
                match = _FETCH_HEAD.search(meta)
                if not match:
                    log.warning(
                        "%s/%s: a FETCH answer without UID was skipped: %r",
                        self.name,
                        folder,
                        meta[:200],
                    )
                    continue
                uid = int(match.group(1))
                top = max(top, uid)
                mails.append(
                    RawMail(
                        raw,
                        source,
                        f"uidvalidity {uidvalidity} uid {uid}",
                        _internaldate(meta),
                        dict(envelope),
                    )
                )
            top = max(top, max(chunk))

            def record(top: int = top) -> None:
                MailboxFolder.objects.filter(pk=state.pk).update(
                    uidvalidity=uidvalidity, last_uid=top, checked_at=timezone.now(), error=""
                )

            stored = store_raw(mails, also=record).new
            new += stored
            last = top
            if self.on_stored is not None:
                self.on_stored(stored)
        MailboxFolder.objects.filter(pk=state.pk).update(
            uidvalidity=uidvalidity, last_uid=last, checked_at=timezone.now(), error=""
        )
        return new

    def fetch(self, client: imaplib.IMAP4 | None = None) -> int:
        """One pass over every folder."""
        own = client is None
        client = client or self.connect()
        try:
            return sum(self.fetch_folder(client, folder) for folder in self.folders)
        finally:
            if own:
                _close(client)

    # --- waiting -------------------------------------------------------------------------------
    def idle(self, client: imaplib.IMAP4, timeout: float, stop: threading.Event) -> None:
        """Wait in IDLE until the server reports anything, ``timeout`` passes or ``stop`` is set."""
        tag = client._new_tag()  # imaplib of Python 3.11 has no IDLE
        client.send(tag + b" IDLE\r\n")
        reported = False
        while True:
            line = client.readline()
            if line.startswith(b"+"):
                break
            if line.startswith(b"* ") and not line.startswith(b"* BYE"):
                reported = True  # news sent before the continuation: look at the folder again
                continue
            raise imaplib.IMAP4.abort(f"{self.name}: IDLE refused: {line!r}")
        sock = client.sock
        waited = 0.0
        while not reported and waited < timeout and not stop.is_set():
            step = min(1.0, timeout - waited)
            pending = isinstance(sock, ssl.SSLSocket) and sock.pending() > 0
            readable = pending or bool(select.select([sock], [], [], step)[0])
            if readable:
                line = client.readline()
                if not line or line.startswith(b"* BYE"):
                    raise imaplib.IMAP4.abort(f"{self.name}: server closed the connection")
                break  # EXISTS, EXPUNGE, FETCH…: look at the folder again
            waited += step
        client.send(b"DONE\r\n")
        while True:
            line = client.readline()
            if not line:
                raise imaplib.IMAP4.abort(f"{self.name}: server closed the connection")
            if line.startswith(tag):
                if b" OK" not in line[: len(tag) + 4]:
                    raise imaplib.IMAP4.abort(f"{self.name}: IDLE ended with {line!r}")
                return

    def watch(self, stop: threading.Event, after_store: Callable[[], None]) -> None:
        """Fetch, hand over, wait (IDLE or poll); reconnect with backoff after any failure.

        One folder, or a server without IDLE: one connection that fetches every folder and then
        IDLEs on the folder (one folder) or polls every ``POLL_SECONDS``.  Several folders on a
        server with IDLE: one thread per folder with its own connection, since IDLE only reports
        on the selected folder.  ``after_store`` is called (never two calls at once) after new
        messages were stored.  Returns once ``stop`` is set and every thread of it has ended."""
        notify = _one_at_a_time(after_store)
        if len(self.folders) > 1 and self.options.get("IDLE", True):
            # Connects first to learn whether the server offers IDLE; without it this polls.
            if self._watch(self.folders, stop, notify, split_if_idle=True):
                self._watch_each_folder(stop, notify)
        else:
            self._watch(self.folders, stop, notify)

    def _watch_each_folder(self, stop: threading.Event, notify: Callable[[], None]) -> None:
        threads = [
            threading.Thread(
                target=self._watch_folder,
                args=(folder, stop, notify),
                name=f"imap {self.name}/{folder}",
                daemon=True,
            )
            for folder in self.folders
        ]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                thread.join()
        except BaseException:  # e.g. KeyboardInterrupt in the caller: stop them all the same
            stop.set()
            for thread in threads:
                thread.join()
            raise

    def _watch_folder(self, folder: str, stop: threading.Event, notify: Callable[[], None]) -> None:
        """One folder's thread: its own connection, backoff and database connection."""
        try:
            self._watch([folder], stop, notify)
        except Exception as exc:  # a bug, not an outage: this folder stops, the others go on
            log.exception("%s/%s: watching the folder stopped", self.name, folder)
            self._record_error(f"{type(exc).__name__}: {exc}", [folder])
        finally:
            connections.close_all()  # Django's connections are per thread

    def _watch(
        self,
        folders: list[str],
        stop: threading.Event,
        notify: Callable[[], None],
        *,
        split_if_idle: bool = False,
    ) -> bool:
        """Watch ``folders`` over one connection until ``stop`` is set (returns False).  With
        ``split_if_idle``, returns True as soon as a connection shows that the server offers IDLE
        (the caller then watches each folder on its own connection)."""
        first, most = conf.backoff()
        delay = first
        poll = float(self.options.get("POLL_SECONDS", 60))
        label = f"{self.name}/{folders[0]}" if len(folders) == 1 else self.name
        while not stop.is_set():
            client: imaplib.IMAP4 | None = None
            try:
                close_old_connections()
                client = self.connect()
                if split_if_idle and self.supports_idle(client):
                    return True
                log.info("%s: connected to %s", label, self.options["HOST"])
                while not stop.is_set():
                    failed = self._fetch_folders(client, folders, notify)
                    if len(failed) == len(folders) == 1:
                        # Nothing to IDLE on: try the folder again with backoff, same connection.
                        stop.wait(_jitter(delay))
                        delay = min(delay * 2, most)
                        client.noop()
                        continue
                    delay = first  # a pass went through: the next outage starts from the first wait
                    if len(folders) == 1 and self.supports_idle(client):
                        self.idle(client, IDLE_SECONDS, stop)  # the folder is still selected
                    else:
                        stop.wait(poll)
                        client.noop()
            except WATCH_ERRORS as exc:
                log.warning("%s: %s; reconnecting in %.1f s", label, exc, delay)
                self._record_error(str(exc), folders)
                if isinstance(exc, DatabaseError):
                    connections.close_all()
                stop.wait(_jitter(delay))
                delay = min(delay * 2, most)
            finally:
                if client is not None:
                    _close(client)
        return False

    def _fetch_folders(
        self, client: imaplib.IMAP4, folders: list[str], notify: Callable[[], None]
    ) -> list[str]:
        """Fetch each folder, ``notify`` after each that had new mail; a folder that cannot be
        opened gets its error recorded and is skipped.  Returns the folders that failed."""
        failed: list[str] = []
        for folder in folders:
            try:
                new = self.fetch_folder(client, folder)
            except FolderError as exc:
                log.warning("%s", exc)
                self._record_error(str(exc), [folder])
                failed.append(folder)
                continue
            if new:
                notify()
        return failed

    def _record_error(self, error: str, folders: list[str]) -> None:
        """The error on each of ``folders`` (a row is made for a folder never opened yet)."""
        try:
            for folder in folders:
                MailboxFolder.objects.update_or_create(
                    mailbox=self.name, folder=folder, defaults={"error": error[:2000]}
                )
        except DatabaseError:
            connections.close_all()


def _jitter(delay: float) -> float:
    # Reconnect jitter, no secret.
    return delay * random.uniform(0.8, 1.2)  # nosec B311


def _one_at_a_time(call: Callable[[], None]) -> Callable[[], None]:
    """``call`` behind a lock: the folders' threads never run it at the same time."""
    lock = threading.Lock()

    def serialised() -> None:
        with lock:
            call()

    return serialised


def _close(client: imaplib.IMAP4) -> None:
    try:
        client.logout()
    except Exception:
        with contextlib.suppress(Exception):
            client.shutdown()
