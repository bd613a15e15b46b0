"""HTML bodies: sanitised with ``nh3`` for display, and turned into plain text when a message has
no text part (so the case text and the search index always have the words).

Both run in time linear in the size of the HTML, whatever it holds:

- :func:`html_to_text` reads the HTML with :func:`tokens`, a scanner that moves only forward
  (``str.find`` from the current place; the next ``>`` is looked for once and remembered).  The
  standard library's ``html.parser`` it replaced is quadratic on broken markup: 400 KB of ``</``
  took 29 s.
- :func:`sanitise` hands the HTML to ``nh3`` (html5ever + ammonia), which is linear except in one
  place: a block element (``div``, ``blockquote``, ``ul``, ``table`` …) checks the whole stack of
  open elements, so 40,000 nested ``<div>`` took 13 s and 80,000 took 51 s.  Browsers cap that
  depth (Blink at 512); here :func:`flatten_deep` first drops the start and end tags of block
  elements nested deeper than ``MAX_BLOCK_DEPTH`` (their text stays), which bounds the check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import nh3

# Inline images refer to their attachment by ``cid:``; everything else nh3 allows by default.
URL_SCHEMES = set(nh3.ALLOWED_URL_SCHEMES) | {"cid"}
# Tags removed together with their content (nh3 already drops script and style content).
DROP_CONTENT = {"script", "style", "title", "head"}
# Block elements nested deeper than this lose their tags before nh3 sees them (text kept).
MAX_BLOCK_DEPTH = 200

# The elements whose start tag makes html5ever look through the stack of open elements (the
# "close a p element" and scope checks of the HTML standard's tree construction).
_SCOPED = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "header",
        "hgroup",
        "main",
        "menu",
        "nav",
        "ol",
        "section",
        "summary",
        "ul",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "listing",
        "xmp",
    ]
)
_TAG_OPEN = re.compile(r"<(?:/?[A-Za-z]|[!?])")
_TAG = re.compile(r"<(!--)|<(/?)([A-Za-z][^\s/>]*)[^>]*>|<[!?][^>]*>")

_SCOPED_NAMES = "|".join(sorted(_SCOPED, key=len, reverse=True))
_SCOPED_START = re.compile(rf"<(?:{_SCOPED_NAMES})[\s/>]", re.IGNORECASE)
_SCOPED_TAG = re.compile(rf"<(/?)({_SCOPED_NAMES})(?=[\s/>])[^>]*>", re.IGNORECASE)
# Token kinds of :func:`tokens`.
TEXT, START, END, OTHER = "text", "start", "end", "other"


def tokens(html: str) -> Iterator[tuple[str, str, int, int]]:
    """``(kind, tag name, start, end)`` for each piece of ``html``, in order, in one pass.

    ``kind`` is ``text`` (``html[start:end]`` is character data), ``start`` or ``end`` (a tag,
    name lower-cased), or ``other`` (a comment, doctype, processing instruction).  Quoted ``>``
    inside attribute values ends the tag early: good enough for text and for counting depth; the
    sanitiser reads the real markup.  The contents of ``script``, ``style``, ``textarea`` and
    ``title`` are one text token, as in HTML."""
    lower = html.lower()
    # No tag can end past the last ">": the pattern below never scans to the end and fails.
    size = html.rfind(">") + 1
    pos = 0  # where the text not yet given out starts
    while pos < size:
        found = _TAG.search(html, pos, size)  # a "<" that starts no tag is text
        if found is None:
            break
        lt = found.start()
        if lt > pos:
            yield TEXT, "", pos, lt
        if found.group(1) is not None:  # a comment: to its end, or to the end of the HTML
            close = html.find("-->", lt + 4)
            pos = len(html) if close < 0 else close + 3
            yield OTHER, "", lt, pos
            continue
        pos = found.end()
        name = found.group(3)
        if name is None:
            yield OTHER, "", lt, pos
            continue
        name = name.lower()
        if found.group(2):
            yield END, name, lt, pos
            continue
        yield START, name, lt, pos
        if name in _RAW_TEXT:
            close = lower.find(f"</{name}", pos)
            stop = len(html) if close < 0 else close
            if stop > pos:
                yield TEXT, "", pos, stop
            pos = stop
    if pos < len(html):
        # No whole tag from here on: text up to a tag cut off by the end (dropped, as HTML
        # drops it).
        cut = _TAG_OPEN.search(html, pos)
        stop = cut.start() if cut is not None else len(html)
        if stop > pos:
            yield TEXT, "", pos, stop


_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp"})


def flatten_deep(html: str, limit: int = MAX_BLOCK_DEPTH) -> str:
    """``html`` unchanged unless block elements nest deeper than ``limit``; then without the
    tags of those nested deeper (each one's end tag goes with it, the text stays).  Only block
    tags are looked at (one pattern over the HTML; one inside a comment or a script counts too,
    which can only drop more)."""
    if len(_SCOPED_START.findall(html)) <= limit:
        return html  # too few block elements to nest that deep
    out: list[str] = []
    kept = 0  # html[:kept] is in ``out`` (once something was dropped)
    depth = 0
    dropped: dict[str, int] = {}
    # No tag ends past the last ">": ``[^>]*>`` never scans to the end and fails.
    for tag in _SCOPED_TAG.finditer(html, 0, html.rfind(">") + 1):
        name = tag.group(2).lower()
        if not tag.group(1):
            if depth < limit:
                depth += 1
                continue
            dropped[name] = dropped.get(name, 0) + 1
        else:
            if not dropped.get(name):
                depth = max(0, depth - 1)
                continue
            dropped[name] -= 1
        out.append(html[kept : tag.start()])  # this tag is dropped
        kept = tag.end()
    if not out:
        return html
    out.append(html[kept:])
    return "".join(out)


def sanitise(html: str) -> str:
    """HTML safe to show inside the desk: no scripts, styles, event handlers or forms."""
    if not html.strip():
        return ""
    return nh3.clean(flatten_deep(html), url_schemes=URL_SCHEMES, clean_content_tags=DROP_CONTENT)


_BLOCK = frozenset(
    [
        "p",
        "div",
        "br",
        "tr",
        "li",
        "ul",
        "ol",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "hr",
        "dt",
        "dd",
        "section",
        "article",
        "header",
        "footer",
    ]
)
_SKIP = frozenset({"script", "style", "head", "title"})
_SPACES = re.compile(r"[ \t\r\f\v\xa0]+")
_BLANKS = re.compile(r"\n\s*\n\s*\n+")


def html_to_text(html: str) -> str:
    """The words of ``html`` as plain text: blocks on their own lines, list items as ``- ``,
    blockquotes as ``> `` lines (so the quote splitter sees the history), no script or style."""
    parts: list[str] = []
    skip = quote = 0
    for kind, name, start, end in tokens(html):
        if kind == TEXT:
            if skip:
                continue
            data = unescape(html[start:end])
            if quote:
                data = "\n".join("> " + line if line.strip() else line for line in data.split("\n"))
            parts.append(data)
        elif kind == START:
            if name in _SKIP:
                skip += 1
            elif name == "blockquote":
                quote += 1
                parts.append("\n")
            elif name == "li":
                parts.append("\n- ")
            elif name in _BLOCK:
                parts.append("\n")
        elif kind == END:
            if name in _SKIP:
                skip = max(0, skip - 1)
            elif name == "blockquote":
                quote = max(0, quote - 1)
                parts.append("\n")
            elif name in _BLOCK:
                parts.append("\n")
    lines = [_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()
