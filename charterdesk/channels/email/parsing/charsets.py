"""Turning bytes of unknown or wrongly declared encoding into text, and saying what was repaired.

Mail in the wild declares no charset, the wrong one, or one Python does not know; headers carry raw
8-bit bytes.  None of that may lose text or stop the import: :func:`decode_text` always returns a
string, plus a note of what it had to repair (empty when the declared charset was right).

The fallback order is UTF-8 (strict: a valid UTF-8 sequence is almost never an accident), then
Windows-1257 (Baltic: what Latvian Windows mail programs send undeclared), then Windows-1252.  It can
be changed with the setting ``CHARTERDESK_EMAIL_FALLBACK_CHARSETS``; the parser takes it as an
argument so it stays free of Django.
"""

from __future__ import annotations

import codecs
import re

DEFAULT_FALLBACKS: tuple[str, ...] = ("utf-8", "windows-1257", "windows-1252")

# Labels seen in real mail that Python does not know, mapped to what the sender meant.
_ALIASES = {
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "x-unknown": "",
    "unknown-8bit": "",
    "x-user-defined": "",
    "default": "",
    "windows-1257-baltic": "windows-1257",
    "cp-1257": "windows-1257",
    "win-1257": "windows-1257",
    "ansi_x3.4-1968": "us-ascii",
    "iso-8859-8-i": "iso-8859-8",
    "ks_c_5601-1987": "cp949",
    "x-mac-roman": "mac-roman",
    "macintosh": "mac-roman",
}

# Single-byte charsets whose label is often put on UTF-8 text by broken mailers.
_SINGLE_BYTE = {
    "us-ascii",
    "ascii",
    "iso-8859-1",
    "latin-1",
    "latin1",
    "iso-8859-2",
    "iso-8859-4",
    "iso-8859-13",
    "iso-8859-15",
    "windows-1250",
    "windows-1252",
    "windows-1257",
    "cp1252",
    "cp1257",
}

_HIGH = re.compile(rb"[\x80-\xff]")


def known_charset(label: str | None) -> str:
    """The codec name for ``label``, or ``""`` when Python knows no such charset."""
    name = (label or "").strip().strip("\"'").lower()
    if not name:
        return ""
    name = _ALIASES.get(name, name)
    if not name:
        return ""
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def decode_text(
    data: bytes, declared: str | None, fallbacks: tuple[str, ...] = DEFAULT_FALLBACKS
) -> tuple[str, str]:
    """Decode ``data`` declared as ``declared``; return ``(text, repair)``.

    ``repair`` is ``""`` when the declared charset decoded the bytes cleanly, otherwise a short
    English note such as ``"declared iso-8859-1, decoded as utf-8"`` that the intake records."""
    label = (declared or "").strip().lower()
    codec = known_charset(label)
    has_high = bool(_HIGH.search(data))
    if not label and not has_high:
        return data.decode("ascii"), ""  # RFC 2045: no charset means US-ASCII
    if codec and not has_high and codec not in {"utf-16", "utf-32", "utf-16-le", "utf-16-be"}:
        # Pure ASCII bytes read the same in every ASCII-compatible charset.
        try:
            return data.decode(codec), ""
        except UnicodeDecodeError:
            pass
    if codec:
        if has_high and label in _SINGLE_BYTE and codec != "utf-8":
            # A single-byte label on bytes that are valid UTF-8 with 8-bit sequences: the mailer
            # lied (common with "iso-8859-1" and "us-ascii"); reading it as declared gives mojibake.
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                return text, f"declared {label}, decoded as utf-8"
        try:
            return data.decode(codec), ""
        except UnicodeDecodeError:
            pass
    for candidate in fallbacks:
        try:
            text = data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        if not label:
            return text, f"no charset declared, decoded as {candidate}"
        if not codec:
            return text, f"unknown charset {label!r}, decoded as {candidate}"
        return text, f"not valid {label}, decoded as {candidate}"
    target = codec or "utf-8"
    what = f"declared {label}" if label else "no charset declared"
    return data.decode(target, errors="replace"), f"{what}, undecodable bytes replaced ({target})"


def repair_header(value: str, fallbacks: tuple[str, ...] = DEFAULT_FALLBACKS) -> tuple[str, str]:
    """A raw header value read by the parser with 8-bit bytes kept as surrogates: decode those
    bytes properly.  Returns ``(value, repair)``; ``repair`` is ``""`` if nothing was 8-bit."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        data = value.encode("ascii", "surrogateescape")
        text, note = decode_text(data, None, fallbacks)
        return text, "8-bit header " + note.replace("no charset declared, ", "")
    return value, ""
