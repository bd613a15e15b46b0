"""Forbidden files inside forwarded messages and archives (issue 13), with bounds for bombs."""

from __future__ import annotations

import gzip
import io
import tarfile
import time
import zipfile
from email import message_from_bytes, policy

import pytest

from charterdesk.channels.email.intake.process import process_pending
from charterdesk.channels.email.intake.store import RawMail, store_raw
from charterdesk.channels.email.models import InboundEmail, InboundState, QuarantineReason
from charterdesk.channels.email.parsing import parse_message
from charterdesk.channels.email.parsing.contents import MAX_ENTRIES, MAX_NESTED_BYTES
from tests.email.messages import build


def zipped(files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def tarred(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def sevenzipped(files: dict[str, bytes]) -> bytes:
    """A real 7z archive, written by libarchive (the library that reads it in the parser)."""
    import tempfile
    from pathlib import Path

    import libarchive

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.7z"
        with libarchive.file_writer(str(path), "7zip") as archive:
            for name, data in files.items():
                archive.add_file_from_memory(name, len(data), data)
        return path.read_bytes()


EXE = b"MZ\x90\x00 not really a program"


def forwarded(inner: bytes) -> bytes:
    """A message with ``inner`` attached as a message (``message/rfc822``, as mail programs
    forward "as attachment")."""
    outer = message_from_bytes(build(subject="Pārsūtu"), policy=policy.default)
    outer.add_attachment(message_from_bytes(inner, policy=policy.default))
    return outer.as_bytes()


CASES = {
    "zip": (
        build(attachments=[("dokumenti.zip", "application/zip", zipped({"a/rēķins.exe": EXE}))]),
        "dokumenti.zip/a/rēķins.exe",
    ),
    "tar.gz": (
        build(attachments=[("arhīvs.tar.gz", "application/gzip", tarred({"x/setup.scr": EXE}))]),
        "arhīvs.tar.gz/x/setup.scr",
    ),
    "gz": (
        build(attachments=[("rīks.exe.gz", "application/gzip", gzip.compress(EXE))]),
        "rīks.exe.gz/rīks.exe",
    ),
    "7z": (
        build(
            attachments=[
                ("pakas.7z", "application/x-7z-compressed", sevenzipped({"x/run.exe": EXE}))
            ]
        ),
        "pakas.7z/x/run.exe",
    ),
    "zip in 7z": (
        build(
            attachments=[
                (
                    "dati",  # no name ending: found by its signature
                    "application/octet-stream",
                    sevenzipped({"iekšā.zip": zipped({"c.hta": b"x"})}),
                )
            ]
        ),
        "dati/iekšā.zip/c.hta",
    ),
    "forwarded": (
        forwarded(build(attachments=[("programma.exe", "application/octet-stream", EXE)])),
        "programma.exe",
    ),
    "zip in forwarded": (
        forwarded(build(attachments=[("z.zip", "application/zip", zipped({"in/run.js": b"x"}))])),
        "z.zip/in/run.js",
    ),
    "zip in zip": (
        build(
            attachments=[
                (
                    "ārējais.zip",
                    "application/zip",
                    zipped({"iekšējais.zip": zipped({"b.vbs": b"x"})}),
                )
            ]
        ),
        "ārējais.zip/iekšējais.zip/b.vbs",
    ),
    "eml in zip": (
        build(
            attachments=[
                (
                    "pasts.zip",
                    "application/zip",
                    zipped(
                        {"v.eml": build(attachments=[("c.bat", "application/octet-stream", b"x")])}
                    ),
                )
            ]
        ),
        "pasts.zip/v.eml/c.bat",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_forbidden_file_inside_is_found(name):
    raw, path = CASES[name]
    parsed = parse_message(raw)
    assert any(p.endswith(path) for p, _t in parsed.inner_files), parsed.inner_files
    assert not parsed.inner_problems


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["zip", "forwarded", "zip in zip", "7z"])
def test_intake_holds_the_message(name):
    raw, path = CASES[name]
    store_raw([RawMail(raw, "test"), RawMail(build(subject="Tīrs"), "test")])
    process_pending(workers=0)
    held, clean = InboundEmail.objects.order_by("id")
    assert held.state == InboundState.QUARANTINED
    assert held.reason == QuarantineReason.FORBIDDEN_ATTACHMENT and path in held.error
    assert clean.state == InboundState.PROCESSED


@pytest.mark.django_db
def test_an_ordinary_archive_passes():
    docx_like = zipped({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"})
    raw = build(
        attachments=[
            ("līgums.docx", "application/octet-stream", docx_like),
            ("pielikumi.zip", "application/zip", zipped({"a.pdf": b"%PDF"})),
        ]
    )
    store_raw([RawMail(raw, "test")])
    process_pending(workers=0)
    assert InboundEmail.objects.get().state == InboundState.PROCESSED


@pytest.mark.django_db
def test_an_archive_that_cannot_be_read_is_held_not_passed():
    """A RAR (or 7z) that libarchive cannot read could hide anything: held for an
    administrator, with the reason, and the clean message beside it goes through."""
    broken = b"Rar!\x1a\x07\x01\x00" + bytes(range(256)) * 4
    raw = build(attachments=[("arhīvs.rar", "application/vnd.rar", broken)])
    assert parse_message(raw).inner_problems
    store_raw([RawMail(raw, "test"), RawMail(build(subject="Tīrs"), "test")])
    process_pending(workers=0)
    held, clean = InboundEmail.objects.order_by("id")
    assert held.state == InboundState.QUARANTINED
    assert held.reason == QuarantineReason.FORBIDDEN_ATTACHMENT
    assert "arhīvs.rar: not a readable archive" in held.error
    assert clean.state == InboundState.PROCESSED


def test_an_ordinary_7z_passes():
    raw = build(
        attachments=[
            ("skenējumi.7z", "application/x-7z-compressed", sevenzipped({"a.pdf": b"%PDF"}))
        ]
    )
    parsed = parse_message(raw)
    assert parsed.inner_files == [("skenējumi.7z/a.pdf", "")] and not parsed.inner_problems


def test_a_zip_bomb_is_bounded():
    """A nested archive that unpacks past the bound (declared honestly, or lying) is not read:
    the message is reported not fully inspected, quickly."""
    big = zipped({"nulles.bin": b"\0" * (MAX_NESTED_BYTES + 1024)}, zipfile.ZIP_STORED)
    bomb = zipped({"lielais.zip": big})
    raw = build(attachments=[("bumba.zip", "application/zip", bomb)])
    assert len(raw) < 200_000
    started = time.perf_counter()
    parsed = parse_message(raw)
    assert time.perf_counter() - started < 2.0
    assert parsed.inner_problems and "not fully inspected" in parsed.inner_problems[0]


def test_too_many_entries_are_bounded():
    many = zipped({f"f{i}.txt": b"" for i in range(MAX_ENTRIES + 1)}, zipfile.ZIP_STORED)
    parsed = parse_message(build(attachments=[("daudz.zip", "application/zip", many)]))
    assert len(parsed.inner_files) == MAX_ENTRIES
    assert "more than" in parsed.inner_problems[0]


@pytest.mark.django_db
def test_not_fully_inspected_is_held_and_can_be_released():
    from charterdesk.channels.email.intake.quarantine import inbound_release

    many = zipped({f"f{i}.txt": b"" for i in range(MAX_ENTRIES + 1)}, zipfile.ZIP_STORED)
    store_raw([RawMail(build(attachments=[("daudz.zip", "application/zip", many)]), "test")])
    process_pending(workers=0)
    row = InboundEmail.objects.get()
    assert row.reason == QuarantineReason.FORBIDDEN_ATTACHMENT and "inspected" in row.error
    assert inbound_release(inbound=row).state == InboundState.PROCESSED
