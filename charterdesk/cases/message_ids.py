"""Message-IDs (RFC 5322 ``msg-id``): the one normaliser, for the intake, the outbox and the cases.

Mailers differ in what they store and send: with or without the angle brackets, sometimes with
folding whitespace inside.  A Message-ID never contains whitespace, so it is removed, and the
brackets are taken off (:func:`bare`) or put on once (:func:`angled`).  Stored values may be
either form, so a lookup asks for both (:func:`variants`).
"""

from __future__ import annotations

from collections.abc import Iterable


def bare(message_id: str | None) -> str:
    """``id@host`` without angle brackets or whitespace ('' for nothing)."""
    return "".join((message_id or "").split()).strip("<>")


def angled(message_id: str | None) -> str:
    """``<id@host>`` ('' for nothing); whitespace, and so any line break that could split a
    header, removed."""
    value = bare(message_id)
    return f"<{value}>" if value else ""


def variants(message_ids: Iterable[str]) -> list[str]:
    """Each ID with and without angle brackets, for a lookup of stored values."""
    out: list[str] = []
    for value in message_ids:
        b = bare(value)
        if b:
            out.extend((f"<{b}>", b))
    return out
