"""The pure parser and its helpers: charsets, quoted history, HTML, TNEF, reports, loops."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charterdesk.channels.email.parsing import ParseError, parse_message
from charterdesk.channels.email.parsing.charsets import decode_text, known_charset
from charterdesk.channels.email.parsing.html import html_to_text, sanitise
from charterdesk.channels.email.parsing.quotes import split_quoted
from charterdesk.channels.email.parsing.tnef import build_tnef, read_tnef
from tests.email.messages import build

LV = "Ķēniņš ļoti ātri šūst žūžiņu"


@pytest.mark.parametrize(
    ("data", "declared", "text", "repair"),
    [
        (LV.encode(), "utf-8", LV, ""),
        (LV.encode(), "iso-8859-1", LV, "declared iso-8859-1, decoded as utf-8"),
        (LV.encode("cp1257"), None, LV, "no charset declared, decoded as windows-1257"),
        (
            LV.encode("cp1257"),
            "x-nonsense",
            LV,
            "unknown charset 'x-nonsense', decoded as windows-1257",
        ),
        (LV.encode("iso-8859-13"), "iso-8859-13", LV, ""),
        (b"plain ascii", None, "plain ascii", ""),
        (LV.encode("cp1257"), "us-ascii", LV, "not valid us-ascii, decoded as windows-1257"),
        ("Grüße".encode("cp1252"), "windows-1252", "Grüße", ""),
    ],
)
def test_decode_text_repairs_and_says_so(data, declared, text, repair):
    assert decode_text(data, declared) == (text, repair)


def test_known_charset_aliases():
    assert known_charset("UTF8") == "utf-8"
    assert known_charset("cp-1257") == "cp1257"
    assert known_charset("x-unknown") == ""


def test_split_quoted_english_attribution():
    text = (
        "Thanks!\n\nOn Tue, 24 Nov 2026 at 10:15, ALTUM <altum@altum.lv> wrote:\n> Hello\n> there"
    )
    assert split_quoted(text) == (
        "Thanks!",
        "On Tue, 24 Nov 2026 at 10:15, ALTUM <altum@altum.lv> wrote:\n> Hello\n> there",
    )


def test_split_quoted_wrapped_attribution_and_original_message_rule():
    fresh, history = split_quoted(
        "Paldies.\n\nOn Tue, 24 Nov 2026 at 10:15, Some Long Name <x@y.lv>\nwrote:\n> a"
    )
    assert fresh == "Paldies." and history.startswith("On Tue")
    fresh, history = split_quoted("Jā.\n\n-----Original Message-----\nFrom: x\n\nold")
    assert fresh == "Jā." and history.startswith("-----Original Message-----")


def test_inline_answers_stay_and_forwarded_text_stays():
    inline = "> Vai varat?\nJā, varam.\n> Kad?\nRīt."
    assert split_quoted(inline) == (inline, "")
    forwarded = "Skat.\n---------- Forwarded message ---------\nFrom: a\n> b"
    assert split_quoted(forwarded) == (forwarded, "")


def test_only_quoted_text_is_not_split_to_nothing():
    assert split_quoted("> tikai citāts") == ("> tikai citāts", "")


def test_sanitise_removes_active_content_and_keeps_cid_images():
    html = (
        '<p onclick="x()">Sveiki<script>bad()</script></p><img src="cid:a@b">'
        '<a href="javascript:evil()">x</a><style>p{}</style><iframe src="http://x"></iframe>'
    )
    clean = sanitise(html)
    assert "script" not in clean and "onclick" not in clean and "javascript" not in clean
    assert "iframe" not in clean and "p{}" not in clean
    assert '<img src="cid:a@b">' in clean


def test_html_to_text_keeps_blocks_and_quotes():
    text = html_to_text(
        "<html><head><title>T</title></head><body><p>Viens</p><div>Divi</div>"
        "<ul><li>a</li></ul><blockquote>vecs</blockquote></body></html>"
    )
    assert text == "Viens\n\nDivi\n\n- a\n\n> vecs"


def test_tnef_round_trip():
    data = build_tnef([("Pārskats.pdf", b"%PDF"), ("b.txt", b"hello")], body="Body")
    files, body = read_tnef(data)
    assert [(f.filename, f.data) for f in files] == [("Pārskats.pdf", b"%PDF"), ("b.txt", b"hello")]
    assert body == "Body"
    with pytest.raises(ValueError, match="not a TNEF"):
        read_tnef(b"nope")


def test_parse_basic_fields():
    raw = build(
        html="<p>Labdien!</p>",
        references="<a@x> <b@x>",
        in_reply_to="<b@x>",
        headers={"Cc": "Ieva <ieva@example.lv>", "Reply-To": "janis.darbs@example.lv"},
    )
    parsed = parse_message(raw)
    assert parsed.sender.address == "janis@example.lv" and parsed.sender.name == "Jānis Ozols"
    assert [a.address for a in parsed.recipients] == ["altum@altum.lv", "ieva@example.lv"]
    assert parsed.references == ["<a@x>", "<b@x>"] and parsed.in_reply_to == "<b@x>"
    assert parsed.reply_to[0].address == "janis.darbs@example.lv"
    assert parsed.text == "Labdien! Vai varu pieteikties aizdevumam?"
    assert parsed.html.strip() == "<p>Labdien!</p>" and parsed.language == "lv"
    assert parsed.auto_submitted == "" and parsed.report is None


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, "Auto-Submitted: auto-replied"),
        ({"Auto-Submitted": "auto-generated"}, "Auto-Submitted: auto-generated"),
        ({"Auto-Submitted": "no"}, ""),
        ({"Precedence": "junk"}, "Precedence: junk"),
        ({"Precedence": "first-class"}, ""),
        ({"X-Autoreply": "yes"}, "X-Autoreply"),
        ({"List-Id": "<l.example.lv>"}, "List-Id"),
    ],
)
def test_rfc3834_and_list_markers(headers, reason):
    assert parse_message(build(headers=headers)).auto_submitted == reason


def test_null_envelope_sender_is_automatic():
    assert parse_message(build(), envelope_sender="").auto_submitted == "null sender"
    assert parse_message(build(), envelope_sender="janis@example.lv").auto_submitted == ""


def test_english_message_is_recognised():
    parsed = parse_message(
        build(
            subject="Question",
            body="Hello, could you please tell me the terms of the loan? Thank you",
        )
    )
    assert parsed.language == "en"


@pytest.mark.parametrize("raw", [b"", b"   \r\n", b"\x89PNG\r\n\x1a\n", b"just some words\n"])
def test_not_a_message_is_a_parse_error(raw):
    with pytest.raises(ParseError):
        parse_message(raw)


_header_names = st.sampled_from(
    [
        "From",
        "To",
        "Subject",
        "Content-Type",
        "Content-Transfer-Encoding",
        "Message-ID",
        "References",
        "Content-Disposition",
        "Date",
        "Auto-Submitted",
        "X-Any",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    headers=st.lists(st.tuples(_header_names, st.binary(max_size=80)), max_size=8),
    body=st.binary(max_size=400),
)
def test_parser_never_fails_on_garbage_with_headers(headers, body):
    """Whatever the bytes after a header line, the parser returns a result or a ParseError, and
    every text it returns can be stored in PostgreSQL (no NUL, no lone surrogates)."""
    raw = (
        b"From: a@b.lv\r\n"
        + b"".join(
            n.encode() + b": " + v.replace(b"\r", b"").replace(b"\n", b"") + b"\r\n"
            for n, v in headers
        )
        + b"\r\n"
        + body
    )
    try:
        parsed = parse_message(raw)
    except ParseError:
        return
    for text in (
        parsed.subject,
        parsed.text,
        parsed.quoted,
        parsed.html,
        parsed.message_id,
        *(a.filename for a in parsed.attachments),
        str(parsed.sender or ""),
    ):
        assert "\x00" not in text
        text.encode("utf-8")


@settings(max_examples=150, deadline=None)
@given(st.binary(min_size=1, max_size=600))
def test_parser_never_fails_on_random_bytes(raw):
    with contextlib.suppress(ParseError):
        parse_message(raw)


def test_header_text_is_unfolded_at_cr_and_lf_only():
    """Headers are read as their unfolded text (no structured header objects); only CR and LF
    end a line, as RFC 5322 and ``EmailPolicy`` have it: other Unicode line breaks stay."""
    from charterdesk.channels.email.parsing.message import _RawHeaders

    policy = _RawHeaders()
    assert policy.header_fetch_parse("Subject", "Par\r\n aizdevumu\u2028x\x0cy") == (
        "Par aizdevumu\u2028x\x0cy"
    )
