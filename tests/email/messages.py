"""Building test messages: real MIME through the standard library, as bytes."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

_seq = itertools.count(1)


def build(
    *,
    sender: str = "Jānis Ozols <janis@example.lv>",
    to: str = "altum@altum.lv",
    subject: str = "Jautājums par aizdevumu",
    body: str = "Labdien! Vai varu pieteikties aizdevumam?",
    html: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
    date: datetime | None = None,
) -> bytes:
    msg = EmailMessage()
    if sender:
        msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date or datetime(2026, 11, 24, 9, next(_seq) % 60, tzinfo=UTC))
    msg["Message-ID"] = message_id or make_msgid(domain="example.lv")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for filename, ctype, content in attachments or []:
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()
