"""What attachments hold inside: the files of a forwarded message (``message/rfc822``) and of an
archive, so that a forbidden type is found there too (a ``.exe`` in a zip, or in a message
attached to the message).

Looked into, to ``MAX_DEPTH`` levels (a zip in a forwarded message in a zip …):

- forwarded messages: every MIME leaf's file name and content type;
- ZIP (``.zip`` and anything that starts with a ZIP signature, so Office files too): the names in
  the central directory; a nested archive is read (at most ``MAX_NESTED_BYTES``);
- tar, also gzip-, bzip2- and xz-compressed (``.tar``, ``.tgz``, ``.tar.gz``, ``.tar.bz2``,
  ``.tar.xz``): the member names, reading at most ``MAX_TOTAL_BYTES`` decompressed;
- a single gzip file (``report.exe.gz``): the name without ``.gz``.

- 7z, RAR, CAB, LZH/LHA, ARJ, XAR and cpio (by signature or name): the names through libarchive
  (``libarchive-c`` over Debian's ``libarchive13``), archives inside them opened like the others.
  One that libarchive cannot read (an unknown RAR variant, encrypted names, ACE) is reported as
  not inspected, so the message is held, not passed.
Encrypted ZIP and 7z entries are listed by name (names are not encrypted) but not opened.

**Bounded** (zip bombs): at most ``MAX_ENTRIES`` names per message, ``MAX_TOTAL_BYTES``
decompressed in all, ``MAX_DEPTH`` levels.  Past a bound the archive is reported as not fully
inspected (``problems``), and the intake holds the message like one with a forbidden file (it
could hide one); an administrator can release it.  Pure (no Django): it runs in the parser
process, under its time limit.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zipfile
import zlib
from dataclasses import dataclass, field
from email import message_from_bytes
from email import policy as email_policy
from email.message import Message
from typing import IO, Any

MAX_DEPTH = 3
MAX_ENTRIES = 10_000
MAX_NESTED_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 100 * 1024 * 1024

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_TAR_NAMES = (".tar", ".tgz", ".tar.gz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
# Read by libarchive: by signature (7z, RAR 4 and 5, CAB) or by name.
_OTHER_MAGIC = (b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07", b"MSCF\x00\x00\x00\x00")
_OTHER_NAMES = (".7z", ".rar", ".cab", ".lzh", ".lha", ".arj", ".xar", ".cpio", ".ace")


class _Over(Exception):
    """A bound was reached."""


@dataclass(slots=True)
class Contents:
    files: list[tuple[str, str]] = field(default_factory=list)  # (path inside, content type)
    problems: list[str] = field(default_factory=list)  # what could not be looked into, and why
    read: int = 0  # bytes decompressed so far

    def add(self, path: str, ctype: str = "") -> None:
        if len(self.files) >= MAX_ENTRIES:
            raise _Over(f"more than {MAX_ENTRIES} files inside")
        self.files.append((path, ctype))

    def take(self, size: int) -> None:
        self.read += size
        if self.read > MAX_TOTAL_BYTES:
            raise _Over(f"more than {MAX_TOTAL_BYTES} bytes when unpacked")


class _Limited(io.RawIOBase):
    """A stream that stops (``_Over``) once the contents' byte budget is spent."""

    def __init__(self, inner: IO[bytes], contents: Contents) -> None:
        self.inner = inner
        self.contents = contents

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.inner.read(len(buffer))
        self.contents.take(len(data))
        buffer[: len(data)] = data
        return len(data)


def is_archive(name: str, ctype: str, content: bytes) -> bool:
    lower = name.lower()
    return (
        content[:4] in _ZIP_MAGIC
        or lower.endswith(_TAR_NAMES)
        or (lower.endswith(".gz") and content[:2] == b"\x1f\x8b")
        or content.startswith(_OTHER_MAGIC)
        or lower.endswith(_OTHER_NAMES)
        or ctype in ("application/zip", "application/x-zip-compressed", "application/x-tar")
    )


def look_into(name: str, ctype: str, content: bytes, contents: Contents, depth: int = 1) -> None:
    """Add the files inside one attachment to ``contents`` (nothing if it is no archive)."""
    try:
        _look(name, ctype, content, contents, depth)
    except _Over as over:
        contents.problems.append(f"{name}: not fully inspected ({over})")


def _look(name: str, ctype: str, content: bytes, contents: Contents, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise _Over(f"archives nested deeper than {MAX_DEPTH}")
    lower = name.lower()
    if lower.endswith(".eml") or ctype == "message/rfc822":
        message_files(
            message_from_bytes(content, policy=email_policy.compat32), name, contents, depth
        )
    elif content[:4] in _ZIP_MAGIC or ctype in ("application/zip", "application/x-zip-compressed"):
        _zip(name, content, contents, depth)
    elif lower.endswith(_TAR_NAMES) or ctype == "application/x-tar":
        _tar(name, content, contents, depth)
    elif lower.endswith(".gz") and content[:2] == b"\x1f\x8b":
        contents.add(f"{name}/{name[:-3].rsplit('/', 1)[-1]}")
    elif content.startswith(_OTHER_MAGIC) or lower.endswith(_OTHER_NAMES):
        _other(name, content, contents, depth)


def _zip(name: str, content: bytes, contents: Contents, depth: int) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        if name.lower().endswith(".zip"):
            contents.problems.append(f"{name}: not a readable ZIP archive ({type(exc).__name__})")
        return
    for info in entries:
        if info.is_dir():
            continue
        path = f"{name}/{info.filename}"
        contents.add(path)
        inner = info.filename.rsplit("/", 1)[-1]
        if not _maybe_archive(inner):
            continue
        if info.flag_bits & 0x1:  # encrypted: the name is all there is
            contents.problems.append(f"{path}: an encrypted archive inside an archive")
            continue
        if info.file_size > MAX_NESTED_BYTES:
            raise _Over(f"{path} is larger than {MAX_NESTED_BYTES} bytes unpacked")
        try:
            with archive.open(info) as member:
                data = member.read(MAX_NESTED_BYTES + 1)
        except (
            zipfile.BadZipFile,
            OSError,
            ValueError,
            EOFError,
            NotImplementedError,
            RuntimeError,
            zlib.error,
        ) as exc:
            contents.problems.append(f"{path}: unreadable ({type(exc).__name__})")
            continue
        if len(data) > MAX_NESTED_BYTES:  # the declared size lied (a zip bomb)
            raise _Over(f"{path} is larger than {MAX_NESTED_BYTES} bytes unpacked")
        contents.take(len(data))
        _look(path, "", data, contents, depth + 1)


def _maybe_archive(name: str) -> bool:
    lower = name.lower()
    return lower.endswith((".zip", ".gz", ".eml", *_TAR_NAMES, *_OTHER_NAMES))


def _other(name: str, content: bytes, contents: Contents, depth: int) -> None:
    """7z, RAR, CAB … through libarchive: every file's name, and the archives inside opened."""
    try:
        import libarchive  # ctypes over libarchive13: loaded only when such an archive comes
    except (ImportError, OSError) as exc:  # the library is missing: nothing could be checked
        contents.problems.append(f"{name}: no reader for this archive ({type(exc).__name__})")
        return
    nested: list[tuple[str, bytes]] = []
    try:
        with libarchive.memory_reader(content) as archive:
            for entry in archive:
                if entry.isdir:
                    continue
                path = f"{name}/{entry.pathname}"
                contents.add(path)
                if not _maybe_archive(str(entry.pathname).rsplit("/", 1)[-1]):
                    continue
                if (entry.size or 0) > MAX_NESTED_BYTES:
                    raise _Over(f"{path} is larger than {MAX_NESTED_BYTES} bytes unpacked")
                data = bytearray()
                for block in entry.get_blocks():
                    data += block
                    if len(data) > MAX_NESTED_BYTES:  # the declared size lied
                        raise _Over(f"{path} is larger than {MAX_NESTED_BYTES} bytes unpacked")
                contents.take(len(data))
                nested.append((path, bytes(data)))
    except libarchive.ArchiveError as exc:
        reason = str(exc).split(" (errno", 1)[0][:200]
        contents.problems.append(f"{name}: not a readable archive ({reason})")
        return
    for path, inner in nested:
        _look(path, "", inner, contents, depth + 1)


def _tar(name: str, content: bytes, contents: Contents, depth: int) -> None:
    raw: Any = io.BytesIO(content)
    # The decompressor is closed with the stream below (``_Limited`` reads from it).
    if content[:2] == b"\x1f\x8b":
        raw = gzip.GzipFile(fileobj=raw)
    elif content[:3] == b"BZh":
        raw = bz2.BZ2File(raw)
    elif content[:6] == b"\xfd7zXZ\x00":
        raw = lzma.LZMAFile(raw)  # noqa: SIM115
    stream = io.BufferedReader(_Limited(raw, contents))
    try:
        with tarfile.open(fileobj=stream, mode="r|") as archive:
            for member in archive:
                if member.isfile():
                    contents.add(f"{name}/{member.name}")
    except (tarfile.TarError, OSError, EOFError, lzma.LZMAError, ValueError) as exc:
        contents.problems.append(f"{name}: not a readable tar archive ({type(exc).__name__})")


def message_files(msg: Message, prefix: str, contents: Contents, depth: int = 1) -> None:
    """The files of a forwarded message ``msg`` (its leaves with a name or a non-text type,
    messages inside it included), and inside the archives among them."""
    if depth > MAX_DEPTH:
        contents.problems.append(f"{prefix}: messages nested deeper than {MAX_DEPTH}")
        return
    try:
        for part in msg.walk():  # walks into attached messages too
            if part.is_multipart():
                continue
            ctype = part.get_content_type()
            try:
                filename = str(part.get_filename() or "")
            except Exception:  # a broken RFC 2231 parameter
                filename = ""
            if not filename and ctype in ("text/plain", "text/html"):
                continue
            path = f"{prefix}/{filename or ctype}"
            contents.add(path, ctype)
            if is_archive(filename, ctype, b"") or _maybe_archive(filename):
                data = part.get_payload(decode=True)
                if isinstance(data, bytes):
                    look_into(path, ctype, data, contents, depth + 1)
    except _Over as over:
        contents.problems.append(f"{prefix}: not fully inspected ({over})")
    except RecursionError:
        contents.problems.append(f"{prefix}: nested too deeply to inspect")
