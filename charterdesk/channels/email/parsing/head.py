"""What the header block alone tells: the block bounded for the parser (``trim_head``) and
whether the message is automatic (``auto_reason``).  Pure, like the rest of ``parsing``."""

from __future__ import annotations

import re

from charterdesk.channels.email.parsing.headers import HeaderReader
from charterdesk.channels.email.parsing.model import Address, DeliveryReport

BOUNCE_SENDERS = {"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"}
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")

# The message's own header block: past ``MAX_FIELDS`` fields (or ``HEAD_BYTES``), only the fields
# the intake reads are kept for the parser (the stored raw message keeps everything).
MAX_FIELDS = 1000
HEAD_BYTES = 256 * 1024
FIELD_BYTES = 128 * 1024  # the most any one field is read (``headers.ADDRESS_LIMIT``)
_READ_FIELDS = frozenset(
    b"from sender reply-to to cc subject message-id in-reply-to references date mime-version "
    b"content-type content-transfer-encoding content-disposition content-id auto-submitted "
    b"precedence list-id return-path delivered-to x-original-to x-failed-recipients "
    b"authentication-results x-autoreply x-autorespond x-autoreply-from".split()
)
_FIELD_START = re.compile(rb"^[^ \t\r\n]", re.MULTILINE)


def trim_head(raw: bytes) -> tuple[bytes, int]:
    """``(raw, 0)``, or, for a header block of more than ``MAX_FIELDS`` fields, the message with
    only the first ``MAX_FIELDS`` and the fields read; then also how many fields it had."""
    end = _BLANK_LINE.search(raw)
    head_end = end.start() if end else len(raw)
    if head_end <= HEAD_BYTES and raw.count(b"\n", 0, head_end) <= MAX_FIELDS:
        return raw, 0
    starts = [m.start() for m in _FIELD_START.finditer(raw, 0, head_end)]
    if len(starts) <= MAX_FIELDS and head_end <= HEAD_BYTES:
        return raw, 0
    kept: list[bytes] = []
    size = 0
    for number, (start, stop) in enumerate(zip(starts, [*starts[1:], head_end], strict=True)):
        field = raw[start:stop]
        name = field.split(b":", 1)[0].strip().lower()
        if (number < MAX_FIELDS and size < HEAD_BYTES) or name in _READ_FIELDS:
            if len(field) > FIELD_BYTES:  # cut, keeping its line end
                field = field[:FIELD_BYTES].rstrip(b"\r\n") + b"\r\n"
            kept.append(field)
            size += len(field)
    body = raw[head_end:] if end else b"\r\n\r\n"
    return b"".join(kept).rstrip(b"\r\n") + body, len(starts)


def auto_reason(
    headers: HeaderReader,
    sender: Address | None,
    envelope_sender: str | None,
    report: DeliveryReport | None,
) -> str:
    """Why the message is automatic (RFC 3834 ``Auto-Submitted``, ``Precedence``, the
    auto-reply headers, ``List-Id``, a delivery report, a null sender, a mailer daemon), or
    ``""`` for a person's message."""
    auto = headers.text("Auto-Submitted").lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto}"
    precedence = headers.text("Precedence").lower()
    if precedence in ("bulk", "junk", "list"):
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoreply-From"):
        if headers.has(name):
            return name
    if headers.has("List-Id"):
        return "List-Id"
    if report is not None:
        return "delivery report"
    if envelope_sender == "" or (headers.raw("Return-Path") or "").strip() == "<>":
        return "null sender"
    if sender and sender.address.split("@", 1)[0].lower() in BOUNCE_SENDERS:
        return "mailer daemon"
    return ""
