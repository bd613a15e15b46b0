"""Reading the files out of a TNEF container (``winmail.dat``, ``application/ms-tnef``).

Outlook wraps attachments in TNEF when it sends "rich text" mail.  The container itself is always kept
as an attachment; the files found inside are added beside it so an employee can open them.  Only what
is needed for that is read (MS-OXTNEF: attachment title, data, and the long file name from the MAPI
properties); anything unexpected ends the reading and keeps what was found so far.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

SIGNATURE = 0x223E9F78
LVL_ATTACHMENT = 2
ATT_ATTACH_RENDDATA = 0x9002
ATT_ATTACH_TITLE = 0x8010
ATT_ATTACH_DATA = 0x800F
ATT_ATTACHMENT = 0x9005  # MAPI properties of the attachment
ATT_BODY = 0x800C

PR_ATTACH_LONG_FILENAME = 0x3707
PR_ATTACH_MIME_TAG = 0x370E

_FIXED = {
    0x0002: 4,
    0x0003: 4,
    0x0004: 4,
    0x0005: 8,
    0x0006: 8,
    0x0007: 8,
    0x000A: 4,
    0x000B: 4,
    0x0014: 8,
    0x0040: 8,
    0x0048: 16,
}
_VARIABLE = {0x001E, 0x001F, 0x0102, 0x000D}


@dataclass(slots=True)
class TnefFile:
    filename: str = ""
    data: bytes = b""
    content_type: str = ""


def _pad4(n: int) -> int:
    return (n + 3) & ~3


def _mapi_strings(data: bytes) -> dict[int, str]:
    """String properties of a MAPI property block (only the ones we use are returned)."""
    found: dict[int, str] = {}
    (count,) = struct.unpack_from("<I", data, 0)
    pos = 4
    for _ in range(count):
        ptype, pid = struct.unpack_from("<HH", data, pos)
        pos += 4
        if pid >= 0x8000:  # named property: GUID, kind, id or name
            pos += 16
            (kind,) = struct.unpack_from("<I", data, pos)
            pos += 4
            if kind == 0:
                pos += 4
            else:
                (length,) = struct.unpack_from("<I", data, pos)
                pos += 4 + _pad4(length)
        multi = bool(ptype & 0x1000)
        base = ptype & 0x0FFF
        values = 1
        if multi or base in _VARIABLE:
            (values,) = struct.unpack_from("<I", data, pos)
            pos += 4
        for _ in range(values):
            if base in _FIXED:
                pos += _FIXED[base]
            elif base in _VARIABLE:
                (length,) = struct.unpack_from("<I", data, pos)
                pos += 4
                raw = data[pos : pos + length]
                pos += _pad4(length)
                if pid in (PR_ATTACH_LONG_FILENAME, PR_ATTACH_MIME_TAG):
                    if base == 0x001F:
                        found[pid] = raw.decode("utf-16-le", "replace").rstrip("\x00")
                    elif base == 0x001E:
                        found[pid] = raw.rstrip(b"\x00").decode("cp1252", "replace")
            else:
                return found  # a type we cannot size: stop here, keep what we have
    return found


def read_tnef(data: bytes) -> tuple[list[TnefFile], str]:
    """Return the files inside a TNEF container and its plain-text body (if it has one).

    Raises ``ValueError`` if ``data`` is not TNEF at all."""
    if len(data) < 6 or struct.unpack_from("<I", data, 0)[0] != SIGNATURE:
        raise ValueError("not a TNEF container (signature missing)")
    pos = 6
    files: list[TnefFile] = []
    body = ""
    current: TnefFile | None = None
    while pos + 9 <= len(data):
        level = data[pos]
        attr_id, length = struct.unpack_from("<II", data, pos + 1)
        pos += 9
        value = data[pos : pos + length]
        pos += length + 2  # checksum
        if len(value) < length:
            break
        name = attr_id & 0xFFFF
        if level == LVL_ATTACHMENT:
            if name == ATT_ATTACH_RENDDATA:
                current = TnefFile()
                files.append(current)
            elif current is None:
                continue
            elif name == ATT_ATTACH_TITLE:
                current.filename = current.filename or value.rstrip(b"\x00").decode(
                    "cp1252", "replace"
                )
            elif name == ATT_ATTACH_DATA:
                current.data = value
            elif name == ATT_ATTACHMENT:
                try:
                    props = _mapi_strings(value)
                except struct.error:
                    props = {}
                if props.get(PR_ATTACH_LONG_FILENAME):
                    current.filename = props[PR_ATTACH_LONG_FILENAME]
                current.content_type = props.get(PR_ATTACH_MIME_TAG, "")
        elif name == ATT_BODY:
            body = value.rstrip(b"\x00").decode("cp1252", "replace")
    return [f for f in files if f.data or f.filename], body


def build_tnef(files: list[tuple[str, bytes]], body: str = "") -> bytes:
    """A minimal TNEF container (used by the test corpus; Outlook writes many more attributes)."""

    def attr(level: int, attr_id: int, value: bytes) -> bytes:
        checksum = sum(value) & 0xFFFF
        return struct.pack("<BII", level, attr_id, len(value)) + value + struct.pack("<H", checksum)

    out = struct.pack("<IH", SIGNATURE, 0x0001)
    if body:
        out += attr(1, 0x0002_0000 | ATT_BODY, body.encode("cp1252", "replace") + b"\x00")
    for filename, content in files:
        out += attr(LVL_ATTACHMENT, 0x0006_0000 | ATT_ATTACH_RENDDATA, b"\x01\x00" + b"\x00" * 12)
        out += attr(
            LVL_ATTACHMENT,
            0x0001_0000 | ATT_ATTACH_TITLE,
            filename.encode("cp1252", "replace") + b"\x00",
        )
        out += attr(LVL_ATTACHMENT, 0x0006_0000 | ATT_ATTACH_DATA, content)
        long_name = filename.encode("utf-16-le") + b"\x00\x00"
        props = struct.pack("<I", 1) + struct.pack("<HH", 0x001F, PR_ATTACH_LONG_FILENAME)
        props += struct.pack("<I", 1) + struct.pack("<I", len(long_name))
        props += long_name + b"\x00" * (_pad4(len(long_name)) - len(long_name))
        out += attr(LVL_ATTACHMENT, 0x0006_0000 | ATT_ATTACHMENT, props)
    return out
