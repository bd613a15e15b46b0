"""Reading messages from files for ``charterdesk email import``: a Maildir, an mbox file, a single
``.eml`` file, or a folder of them (searched recursively, Maildirs inside it included).

Messages are yielded one by one, so memory stays flat however large the source is.  The arrival
time is the Maildir file's delivery stamp or the mbox ``From`` line's date when there is one, else
the topmost ``Received`` header, else ``Date``: imported mail keeps its own time.
"""

from __future__ import annotations

import mailbox
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from charterdesk.channels.email.intake.store import RawMail, arrival_time


class ImportSourceError(Exception):
    """The path cannot be read as mail; the text says what and where."""


def _is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def _is_mbox(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(5) == b"From "


def _stamp(name: str) -> datetime | None:
    match = re.match(r"(\d{9,11})\.", name)
    if not match:
        return None
    return datetime.fromtimestamp(int(match.group(1)), tz=UTC)


def _maildir(path: Path) -> Iterator[RawMail]:
    for sub in ("new", "cur"):
        folder = path / sub
        for name in sorted(os.listdir(folder)):
            file = folder / name
            if not file.is_file():
                continue
            raw = file.read_bytes()
            yield RawMail(raw, "import", str(file), _stamp(name) or arrival_time(raw))


_FROM_LINE_DATE = re.compile(r"^From \S+\s+(.+)$")


def _from_line_date(line: str) -> datetime | None:
    match = _FROM_LINE_DATE.match(line.strip())
    if not match:
        return None
    text = " ".join(match.group(1).split())
    # asctime without a zone is UTC; some writers put the zone before the year.
    try:
        return datetime.strptime(text + " +0000", "%a %b %d %H:%M:%S %Y %z").astimezone(UTC)
    except ValueError:
        pass
    try:
        return datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
    except ValueError:
        pass
    return None


def _mbox(path: Path) -> Iterator[RawMail]:
    box = mailbox.mbox(str(path), create=False)
    try:
        for key in box.iterkeys():
            raw = box.get_bytes(key)
            with box.get_file(key, True) as handle:  # from_=True: with the "From " line
                from_line = handle.readline().decode("ascii", "replace")
            received = _from_line_date(from_line) or arrival_time(raw)
            yield RawMail(raw, "import", f"{path}#{key}", received)
    finally:
        box.close()


def _file(path: Path) -> Iterator[RawMail]:
    if _is_mbox(path):
        yield from _mbox(path)
        return
    raw = path.read_bytes()
    yield RawMail(raw, "import", str(path), arrival_time(raw))


#: Names a folder import reads without being asked (anything else is reported as skipped).
MAIL_SUFFIXES = (".eml", ".mbox", "")


def read_messages(
    path: str | Path,
    *,
    any_name: bool = False,
    skipped: list[tuple[Path, str]] | None = None,
) -> Iterator[RawMail]:
    """Every message under ``path``, in a stable order (sorted names).

    In a folder, files named ``.eml``/``.mbox``/without a suffix and mbox files are read; with
    ``any_name`` every other file is read as one message too.  What is left out is appended to
    ``skipped`` as ``(path, why)``, ``why`` being ``"hidden"`` or ``"name"``, so the command can
    say so in the reader's language."""
    root = Path(path)
    if not root.exists():
        raise ImportSourceError(f"{root}: no such file or folder")
    if root.is_file():
        yield from _file(root)
        return
    if _is_maildir(root):
        yield from _maildir(root)
        for child in sorted(root.iterdir()):
            if child.name.startswith(".") and child.is_dir() and _is_maildir(child):
                yield from _maildir(child)  # Maildir++ sub-folders (.Sent, .Archive …)
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        here = Path(dirpath)
        if _is_maildir(here):
            dirnames[:] = [d for d in dirnames if d not in ("cur", "new", "tmp")]
            yield from _maildir(here)
            continue
        for name in sorted(filenames):
            file = here / name
            if here.name in ("cur", "new", "tmp"):
                continue
            if name.startswith("."):
                _skip(skipped, file, "hidden")
                continue
            if any_name or file.suffix.lower() in MAIL_SUFFIXES or _is_mbox(file):
                yield from _file(file)
            else:
                _skip(skipped, file, "name")


def _skip(skipped: list[tuple[Path, str]] | None, file: Path, reason: str) -> None:
    if skipped is not None:
        skipped.append((file, reason))


def holds_at_least(path: str | Path, count: int, *, mbox_bytes: int = 8 * 1024 * 1024) -> bool:
    """Whether ``path`` likely holds ``count`` messages or more, without reading them: files
    counted in a folder (stopping at ``count``), or an mbox file of ``mbox_bytes`` or more."""
    root = Path(path)
    try:
        if root.is_file():
            return root.stat().st_size >= mbox_bytes
        seen = 0
        for _dirpath, _dirnames, filenames in os.walk(root):
            seen += len(filenames)
            if seen >= count:
                return True
    except OSError:
        return False
    return False
