"""Hostile messages, each built at a chosen size ``n`` (the tests time them at n and 2n, the
benchmark ``bench/email_hostile.py`` at the sizes named in issue 13).

Each builder returns the raw bytes of one message whose parsing used to grow faster than its size
(or would, without the limits of ``parsing/``)."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

from charterdesk.channels.email.parsing.pool import ParseResult, parse_one

_HEAD = (
    "From: Jānis <janis@example.lv>\r\nTo: atbalsts@altum.lv\r\nMessage-ID: <{tag}@example.lv>\r\n"
    "Date: Tue, 1 Dec 2026 10:00:00 +0200\r\nMIME-Version: 1.0\r\n"
)


def _mail(tag: str, headers: str, body: str | bytes, ctype: str = "text/plain") -> bytes:
    head = _HEAD.format(tag=tag) + headers
    if "Subject:" not in headers:
        head += "Subject: hostile\r\n"
    if "Content-Type:" not in headers:
        head += f"Content-Type: {ctype}; charset=utf-8\r\n"
    data = body if isinstance(body, bytes) else body.encode()
    return head.encode() + b"\r\n" + data


def html_end_tags(n: int) -> bytes:
    """An HTML-only body of ``</`` repeated: ``n`` bytes (html.parser: 29 s at 400 KB)."""
    return _mail("html-end", "", "</" * (n // 2), "text/html")


def subject_encoded_words(n: int) -> bytes:
    """A subject of ``n`` encoded words (email.header.decode_header: 69 s at 200,000)."""
    words = "\r\n ".join(" ".join(["=?utf-8?q?=C4=81?="] * 50) for _ in range(max(1, n // 50)))
    return _mail("subject-words", f"Subject: {words}\r\n", "Sveiki!\r\n")


def subject_unterminated_words(n: int) -> bytes:
    """A subject of ``n`` encoded-word openings that never close (the stdlib's pattern scanned
    to the end of the line for each)."""
    return _mail("subject-open", f"Subject: {'=?x?q? ' * n}\r\n", "Sveiki!\r\n")


def html_nested_divs(n: int) -> bytes:
    """``n`` nested ``<div>`` (nh3 / html5ever: 13 s at 40,000, 51 s at 80,000)."""
    return _mail("divs", "", "<div>x" * n, "text/html")


def html_comment_openings(n: int) -> bytes:
    """``<!--`` and ``<a`` repeated without an end: scanners that look for the end each time
    are quadratic."""
    return _mail("comments", "", "<!--<a" * (n // 6), "text/html")


def many_parts(n: int) -> bytes:
    """A multipart message of ``n`` small attachments."""
    parts = "".join(
        f'--b\r\nContent-Type: text/plain; name="f{i}.txt"\r\n'
        f'Content-Disposition: attachment; filename="f{i}.txt"\r\n\r\nx\r\n'
        for i in range(n)
    )
    return _mail(
        "parts",
        'Content-Type: multipart/mixed; boundary="b"\r\n',
        f"--b\r\nContent-Type: text/plain\r\n\r\nSveiki\r\n{parts}--b--\r\n",
    )


def content_type_params(n: int) -> bytes:
    """A Content-Type with ``n`` parameters (the stdlib's parameter parser is quadratic)."""
    params = "; ".join(f"p{i}=v" for i in range(n))
    return _mail("params", f"Content-Type: text/plain; charset=utf-8; {params}\r\n", "Sveiki\r\n")


def references_ids(n: int) -> bytes:
    """References naming ``n`` Message-IDs (kept: the first and the newest 99)."""
    refs = "\r\n ".join(f"<r{i}@example.lv>" for i in range(n))
    return _mail("refs", f"References: {refs}\r\n", "Sveiki\r\n")


def recipients(n: int) -> bytes:
    """A To header of ``n`` addresses with encoded display names."""
    to = ",\r\n ".join(f"=?utf-8?q?J=C4=81nis_{i}?= <u{i}@example.lv>" for i in range(n))
    return _mail("to", f"Cc: {to}\r\n", "Sveiki\r\n")


def header_lines(n: int) -> bytes:
    """``n`` header lines."""
    return _mail("lines", "".join(f"X-Filler-{i}: {i}\r\n" for i in range(n)), "Sveiki\r\n")


def quoted_lines(n: int) -> bytes:
    """A plain body of ``n`` alternating quoted and answered lines (the quote splitter)."""
    body = "".join(f"> citāts {i}\r\natbilde {i}\r\n" for i in range(n // 2))
    return _mail("quotes", "", body)


# name -> (builder, the size issue 13 names or a size that large mail reaches, unit)
HOSTILE: dict[str, tuple[Callable[[int], bytes], int, str]] = {
    "html_end_tags": (html_end_tags, 400_000, "bytes"),
    "subject_encoded_words": (subject_encoded_words, 200_000, "words"),
    "subject_unterminated_words": (subject_unterminated_words, 200_000, "openings"),
    "html_nested_divs": (html_nested_divs, 80_000, "elements"),
    "html_comment_openings": (html_comment_openings, 400_000, "bytes"),
    "many_parts": (many_parts, 10_000, "parts"),
    "content_type_params": (content_type_params, 50_000, "parameters"),
    "references_ids": (references_ids, 100_000, "IDs"),
    "recipients": (recipients, 20_000, "addresses"),
    "header_lines": (header_lines, 100_000, "lines"),
    "quoted_lines": (quoted_lines, 200_000, "lines"),
}


def kill_on_marker(
    raw: bytes, mail_from: str | None, skip: bool, fallbacks: tuple[str, ...], seconds: float | None
) -> ParseResult:
    """``parse_one``, except that a message with ``KILL-THE-PARSER`` kills its process (as a
    segfault or the OOM killer would).  Here, not in a test module: the child process imports
    it without Django."""
    if b"KILL-THE-PARSER" in raw:
        os.kill(os.getpid(), signal.SIGKILL)
    return parse_one(raw, mail_from, skip, fallbacks, seconds)
