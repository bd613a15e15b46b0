"""Header values as text: encoded words decoded, 8-bit bytes repaired, Message-IDs normalised."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from charterdesk.channels.email.parsing.charsets import (
    DEFAULT_FALLBACKS,
    decode_text,
    repair_header,
)
from charterdesk.channels.email.parsing.model import Address

_FOLD = re.compile(r"\r?\n[ \t]*")
_MSGID = re.compile(r"<[^<>\s]+>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(value: str) -> str:
    """Text safe for any database: no NUL or control characters, no lone surrogates."""
    if _CONTROL.search(value):
        value = _CONTROL.sub("", value)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def decode_words(
    name: str, value: str, repairs: list[str], fallbacks: tuple[str, ...] = DEFAULT_FALLBACKS
) -> str:
    """Decode RFC 2047 encoded words; a wrong or unknown charset in them is repaired too (each
    repair is recorded in ``repairs`` under ``name``)."""
    if "=?" not in value:
        return value
    try:
        chunks = decode_header(value)
    except Exception:  # a broken encoded word: keep the text as written
        repairs.append(f"{name}: undecodable encoded word kept as written")
        return value
    out = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            out.append(chunk)
            continue
        if charset is None:
            out.append(chunk.decode("raw-unicode-escape", "replace"))
            continue
        text, note = decode_text(chunk, charset, fallbacks)
        if note:
            repairs.append(f"{name}: encoded word {note}")
        out.append(text)
    return "".join(out)


class HeaderReader:
    """Reads header values of one message (or part), recording the repairs it makes."""

    def __init__(
        self, msg: Message, repairs: list[str], fallbacks: tuple[str, ...] = DEFAULT_FALLBACKS
    ) -> None:
        self.repairs = repairs
        self.fallbacks = fallbacks
        self._raw: dict[str, list[str]] = {}
        for name, value in msg.raw_items():
            self._raw.setdefault(name.lower(), []).append(str(value))

    def raw_all(self, name: str) -> list[str]:
        return self._raw.get(name.lower(), [])

    def raw(self, name: str) -> str | None:
        values = self._raw.get(name.lower())
        return values[0] if values else None

    def has(self, name: str) -> bool:
        return name.lower() in self._raw

    def _unfolded(self, name: str, value: str) -> str:
        value, note = repair_header(value, self.fallbacks)
        if note:
            self.repairs.append(f"{name}: {note}")
        return _FOLD.sub(" ", value).strip()

    def decode_words(self, name: str, value: str) -> str:
        return decode_words(name, value, self.repairs, self.fallbacks)

    def text(self, name: str) -> str:
        value = self.raw(name)
        if value is None:
            return ""
        return clean(self.decode_words(name, self._unfolded(name, value)))

    def addresses(self, *names: str) -> list[Address]:
        found: list[Address] = []
        for name in names:
            for value in self.raw_all(name):
                unfolded = self._unfolded(name, value)
                try:
                    pairs = getaddresses([unfolded])
                except Exception:
                    pairs = []
                for display, address in pairs:
                    address = clean(address.strip().strip("<>").strip())
                    if "@" not in address or " " in address:
                        continue
                    found.append(Address(clean(self.decode_words(name, display).strip()), address))
        return found

    def message_id(self, name: str) -> str:
        value = self.raw(name)
        if not value:
            return ""
        match = _MSGID.search(value)
        if match:
            return clean(match.group(0))[:300]
        value = clean(_FOLD.sub("", value).strip())
        return f"<{value}>"[:300] if value and " " not in value else ""

    def message_ids(self, name: str) -> list[str]:
        ids: list[str] = []
        for value in self.raw_all(name):
            ids.extend(clean(m) for m in _MSGID.findall(value))
        return ids

    def date(self, name: str = "Date") -> datetime | None:
        value = self.raw(name)
        if not value:
            return None
        try:
            parsed = parsedate_to_datetime(_FOLD.sub(" ", value).strip())
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if parsed is None:
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        try:
            return parsed.astimezone(UTC)
        except (OverflowError, ValueError):
            return None
