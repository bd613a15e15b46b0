"""Transports: where raw messages come from.  Each stores raw bytes with
:func:`charterdesk.channels.email.intake.store.store_raw` and nothing else.

- ``imap.ImapMailbox``: an IMAP account (IDLE or polling), run by ``email fetch`` / ``email watch``;
- ``lmtp.LmtpReceiver``: an LMTP/SMTP server (aiosmtpd), run by ``email lmtp`` / ``email watch``;
- ``files.read_messages``: Maildir, mbox, ``.eml`` files, for ``email import``.

Which mailboxes and receivers run is ``CHARTERDESK_EMAIL_INTAKE`` (see ``conf.mailboxes``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

from django.utils.module_loading import import_string

from charterdesk.channels.email import conf


class Backend(Protocol):
    name: str

    def watch(self, stop: threading.Event, after_store: Callable[[], None]) -> None: ...


def load_backends(only: str | None = None) -> list[Any]:
    found = []
    for name, options in conf.mailboxes().items():
        if only and name != only:
            continue
        backend_class = import_string(options["BACKEND"])
        found.append(backend_class(name, options))
    return found
