"""HTML bodies: sanitised with ``nh3`` for display, and turned into plain text when a message has
no text part (so the case text and the search index always have the words)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

# Inline images refer to their attachment by ``cid:``; everything else nh3 allows by default.
URL_SCHEMES = set(nh3.ALLOWED_URL_SCHEMES) | {"cid"}
# Tags removed together with their content (nh3 already drops script and style content).
DROP_CONTENT = {"script", "style", "title", "head"}


def sanitise(html: str) -> str:
    """HTML safe to show inside the desk: no scripts, styles, event handlers or forms."""
    if not html.strip():
        return ""
    return nh3.clean(html, url_schemes=URL_SCHEMES, clean_content_tags=DROP_CONTENT)


_BLOCK = {
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
}
_SKIP = {"script", "style", "head", "title"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.quote = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag == "blockquote":
            self.quote += 1
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag == "blockquote":
            self.quote = max(0, self.quote - 1)
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.quote:
            # Quoted history in HTML replies becomes "> " lines, so the quote splitter sees it.
            data = "\n".join("> " + line if line.strip() else line for line in data.split("\n"))
        self.parts.append(data)


_SPACES = re.compile(r"[ \t\r\f\v\xa0]+")
_BLANKS = re.compile(r"\n\s*\n\s*\n+")


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    # html.parser is lenient; keep whatever it gathered.
    except Exception:  # nosec B110
        pass
    lines = [_SPACES.sub(" ", line).strip() for line in "".join(parser.parts).split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()
