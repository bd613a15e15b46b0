"""The corpus of awkward messages (``corpus/*.eml``, made by ``corpus/make_corpus.py``) and the
standard library's own test messages: each becomes a case or a quarantine entry with a reason."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

import pytest

from charterdesk.cases.models import Case, Message
from charterdesk.channels.email.intake.process import process_pending
from charterdesk.channels.email.intake.store import RawMail, store_raw
from charterdesk.channels.email.models import InboundEmail, InboundState
from charterdesk.channels.email.parsing import ParseError, parse_message

CORPUS = Path(__file__).parent / "corpus"
STDLIB_DATA = Path(sys.base_prefix) / "lib" / "python3.11" / "test" / "test_email" / "data"

LV = "Labdien! Lūdzu, atsūtiet informāciju par aizdevumu mājokļa iegādei. Paldies, Jānis Ķēniņš"


def _att(message: Message) -> dict[str, Any]:
    return {a.filename: a for a in message.attachments.all()}


def _body_is_latvian(row: InboundEmail) -> None:
    assert row.case_message.body == LV


# file -> (state, quarantine reason, extra check on the row)
EXPECTED: dict[str, tuple[str, str, Any]] = {
    "01-utf8-labelled-latin1.eml": (
        "processed",
        "",
        lambda r: (
            _body_is_latvian(r),
            r.case_message.meta["charset_repairs"]
            == ["part 1 (text/plain): declared iso-8859-1, decoded as utf-8"],
        ),
    ),
    "02-cp1257-undeclared.eml": ("processed", "", _body_is_latvian),
    "03-unknown-charset.eml": (
        "processed",
        "",
        lambda r: (_body_is_latvian(r), "x-baltic-latvian" in r.info["charset_repairs"][0]),
    ),
    "04-8bit-headers.eml": (
        "processed",
        "",
        lambda r: (
            r.case.subject == "Pieteikums — mājokļa garantija",
            r.case.client.name == "Ēriks Bērziņš",
        ),
    ),
    "05-encoded-words.eml": (
        "processed",
        "",
        lambda r: (
            r.case.subject == "Jautājums par mājokļu garantiju – Ķēniņš",
            r.case.client.name == "Jānis Ķēniņš",
        ),
    ),
    "06-nested-multipart.eml": (
        "processed",
        "",
        lambda r: (
            _body_is_latvian(r),
            set(_att(r.case_message)) == {"part-3.png", "izziņa.pdf", "piezimes.txt"},
            _att(r.case_message)["part-3.png"].inline,
            _att(r.case_message)["part-3.png"].content_id == "logo@x",
            "<script>" not in r.case_message.body_html,
            'src="cid:logo@x"' in r.case_message.body_html,
        ),
    ),
    "07-tnef-winmail.eml": (
        "processed",
        "",
        lambda r: set(_att(r.case_message)) == {"winmail.dat", "Bilance 2025.pdf", "plans.txt"},
    ),
    "08-calendar-invite.eml": (
        "processed",
        "",
        lambda r: _att(r.case_message)["invite.ics"].content_type == "text/calendar",
    ),
    "09-empty-body-attachment.eml": (
        "processed",
        "",
        lambda r: (r.case_message.body == "", set(_att(r.case_message)) == {"pieteikums.pdf"}),
    ),
    "10-forwarded-inline.eml": (
        "processed",
        "",
        lambda r: (LV in r.case_message.body, "quoted_text" not in r.case_message.meta),
    ),
    "11-forwarded-attachment.eml": (
        "processed",
        "",
        lambda r: _att(r.case_message)["Rekins Nr. 5.eml"].content_type == "message/rfc822",
    ),
    "12-pgp-signed.eml": (
        "processed",
        "",
        lambda r: (
            r.case_message.meta["security"] == "pgp-signed",
            "signature.asc" in _att(r.case_message),
        ),
    ),
    "13-pgp-encrypted.eml": (
        "processed",
        "",
        lambda r: (
            r.case_message.meta["security"] == "pgp-encrypted",
            "encrypted.asc" in _att(r.case_message),
        ),
    ),
    "14-very-long-line.eml": ("processed", "", lambda r: len(r.case_message.body) == 150_000),
    "15-html-only.eml": (
        "processed",
        "",
        lambda r: (
            r.case_message.body.startswith("Vai ir ziņas?"),
            "steal" not in r.case_message.body_html,
            "onload" not in r.case_message.body_html,
            "javascript" not in r.case_message.body_html,
            r.case_message.meta["quoted_text"] == "> Iepriekšējā vēstule",
        ),
    ),
    "16-reply-quoted.eml": (
        "processed",
        "",
        lambda r: (
            r.case_message.body == "Paldies, viss skaidrs.",
            r.case_message.meta["quoted_text"].endswith("> Jūsu pieteikums ir saņemts."),
        ),
    ),
    "17-auto-reply.eml": ("quarantined", "auto_unthreaded", None),
    "18-bounce-unknown.eml": (
        "quarantined",
        "bounce_unmatched",
        lambda r: r.info["report"]["original_message_id"] == "<not-ours@example.lv>",
    ),
    "19-forbidden-exe.eml": (
        "quarantined",
        "forbidden_attachment",
        lambda r: "rekins.pdf.exe" in r.error,
    ),
    "20-no-sender.eml": ("quarantined", "no_sender", None),
    "21-not-mail.eml": ("quarantined", "unparseable", None),
    "22-broken-base64.eml": ("processed", "", lambda r: "bojats.pdf" in _att(r.case_message)),
    "23-unterminated-multipart.eml": (
        "processed",
        "",
        lambda r: (
            "a.png" in _att(r.case_message),
            "message: CloseBoundaryNotFoundDefect" in r.case_message.meta["defects"],
        ),
    ),
    "24-smime-opaque.eml": ("processed", "", lambda r: "smime.p7m" in _att(r.case_message)),
    "25-text-attachments-inline.eml": (
        "processed",
        "",
        lambda r: (
            r.case_message.body == "Dati pielikumos.",
            set(_att(r.case_message)) == {"dati.txt", "saraksts.csv", "part-4.png"},
            # The text attachment keeps its own bytes (Windows-1257), not a re-encoding.
            _att(r.case_message)["saraksts.csv"].file.read()
            == "vārds;summa\r\nŠķēle;100".encode("cp1257"),
        ),
    ),
    "26-attachment-names.eml": (
        "processed",
        "",
        lambda r: set(_att(r.case_message)) == {"līgums Nr. 1.pdf", "Škēle pieteikums.pdf"},
    ),
    "27-ascii-with-8bit.eml": ("processed", "", _body_is_latvian),
    "28-outlook-reply-lv.eml": (
        "processed",
        "",
        lambda r: (
            r.case_message.body == "Labdien, pielikumā prasītie dokumenti.",
            r.case_message.meta["quoted_text"].startswith("No: ALTUM"),
        ),
    ),
    "29-nul-bytes.eml": ("processed", "", lambda r: "\x00" not in r.case_message.body),
    "30-newsletter.eml": ("quarantined", "auto_unthreaded", None),
    "31-uuencode.eml": ("processed", "", lambda r: "dati.bin" in _att(r.case_message)),
    "32-bare-lf.eml": ("processed", "", lambda r: r.case.subject == "Gara tema ar locijumiem"),
    "33-redelivery-of-01.eml": ("duplicate", "", None),
    "34-deeply-nested.eml": ("processed", "", lambda r: r.case_message.attachments.count() == 1),
    "35-bad-from-good-reply-to.eml": (
        "processed",
        "",
        lambda r: r.case.client.email == "inese@example.lv",
    ),
}


def test_every_corpus_file_has_an_expectation():
    assert sorted(p.name for p in CORPUS.glob("*.eml")) == sorted(EXPECTED)


@pytest.mark.django_db
def test_corpus_each_message_becomes_a_case_or_a_quarantine_entry_with_a_reason():
    files = sorted(CORPUS.glob("*.eml"))
    store_raw([RawMail(path.read_bytes(), "import", path.name) for path in files])
    stats = process_pending(workers=0)
    assert stats.total == len(files)
    rows = {row.source_ref: row for row in InboundEmail.objects.select_related("case")}
    failures = []
    for name, (state, reason, check) in EXPECTED.items():
        row = rows[name]
        if (row.state, row.reason) != (state, reason):
            failures.append(
                f"{name}: {row.state}/{row.reason} ({row.error}), expected {state}/{reason}"
            )
            continue
        if row.state == InboundState.QUARANTINED:
            assert row.error, f"{name}: quarantined without a reason text"
        if check is not None:
            result = check(row)
            if isinstance(result, tuple) and not all(x in (True, None) for x in result):
                failures.append(f"{name}: check failed {result}")
            elif result is False:
                failures.append(f"{name}: check failed")
    assert not failures, "\n".join(failures)
    # Every attachment the parser saw was stored: count them against a fresh parse.
    expected_attachments = 0
    for path in files:
        row = rows[path.name]
        if row.state == InboundState.PROCESSED:
            expected_attachments += len(parse_message(path.read_bytes()).attachments)
    stored = sum(
        m.attachments.count()
        for m in Message.objects.filter(inbound_emails__state=InboundState.PROCESSED)
    )
    assert stored == expected_attachments


def _stdlib_messages() -> list[Path]:
    return sorted(STDLIB_DATA.glob("msg_*.txt")) if STDLIB_DATA.is_dir() else []


def test_stdlib_test_messages_never_crash_the_parser():
    if not _stdlib_messages():
        pytest.skip(f"the standard library's test data is not installed ({STDLIB_DATA})")
    for path in _stdlib_messages():
        # A clear refusal (ParseError) is fine: the intake quarantines it with this reason.
        with contextlib.suppress(ParseError):
            parse_message(path.read_bytes())


@pytest.mark.django_db
def test_stdlib_test_messages_each_become_a_case_or_a_quarantine_entry():
    paths = _stdlib_messages()
    if not paths:
        pytest.skip(f"the standard library's test data is not installed ({STDLIB_DATA})")
    store_raw([RawMail(path.read_bytes(), "import", path.name) for path in paths])
    stats = process_pending(workers=0)
    rows = list(InboundEmail.objects.all())
    assert stats.total == len(rows) == len({p.read_bytes() for p in paths})
    for row in rows:
        if row.state == InboundState.PROCESSED:
            assert row.case_id is not None, row.source_ref
        elif row.state == InboundState.QUARANTINED:
            assert row.reason and row.error, row.source_ref
        else:
            assert row.state == InboundState.DUPLICATE and row.case_id, row.source_ref
    assert Case.objects.count() >= 25
