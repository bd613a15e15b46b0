"""Separating what the client wrote now from the quoted history below it.

Rules, in order:

1. A forwarding marker ("Forwarded message", "Pārsūtītā ziņa", "Begin forwarded message") before any
   reply marker: nothing is split — the forwarded text *is* the content.
2. The first reply marker starts the history: an attribution line ("On … wrote:", "… rakstīja:",
   "Am … schrieb …:"), an "Original Message" / "Sākotnējais ziņojums" rule, or an Outlook header block
   ("From:"/"No:" followed within four lines by "Sent:"/"Nosūtīts:"/"Date:"/"Datums:").
3. Otherwise a trailing block of ``>`` lines (with the attribution line just above it) is history;
   ``>`` lines with the client's own text after them are an inline answer and stay.

If nothing but history remains, nothing is split.
"""

from __future__ import annotations

import re

_ATTRIBUTION = re.compile(
    r"^(On\s.{3,300}\swrote:|.{3,300}\srakst[īi]ja:|Am\s.{3,300}\sschrieb\s.{0,300}:|"
    r"Le\s.{3,300}\sa\s[ée]crit\s?:|.{3,200}\s(?:пишет|написал[а]?):)\s*$",
    re.IGNORECASE,
)
_ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(Original Message|S[āa]kotn[ēe]j(?:ais|ā)\s+(?:zi[ņn]ojums|zi[ņn]a)|"
    r"Urspr[üu]ngliche Nachricht|Исходное сообщение)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_FORWARD = re.compile(
    r"^\s*(-{2,}\s*(Forwarded message|P[āa]rs[ūu]t[īi]t[āa]\s+zi[ņn]a|P[āa]rs[ūu]t[īi]tais\s+"
    r"zi[ņn]ojums|Weitergeleitete Nachricht)\s*-{2,}|Begin forwarded message:)\s*$",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(From|No|Von|De)\*?:\s*\S", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(
    r"^\s*\*?(Sent|Nos[ūu]t[īi]ts|Date|Datums|Gesendet|Envoy[ée])\*?:\s*\S", re.IGNORECASE
)


def _marker_at(lines: list[str]) -> int | None:
    """Index of the first reply marker; -1 if a forwarding marker comes first."""
    for i, line in enumerate(lines):
        if ":" not in line and "-" not in line:
            # Every marker has one of the two, except the first line of a wrapped attribution.
            nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
            if not nxt.endswith(":"):
                continue
        if _FORWARD.match(line):
            return -1
        if _ORIGINAL.match(line):
            return i
        if _ATTRIBUTION.match(line):
            return i
        # "On Tue, 3 Nov 2026 at 10:15, Jānis <j@x.lv>\nwrote:" — attribution wrapped in two lines.
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if nxt.endswith(":") and len(nxt) < 40 and _ATTRIBUTION.match(line.rstrip() + " " + nxt):
            return i
        if _OUTLOOK_FROM.match(line) and any(
            _OUTLOOK_NEXT.match(nxt) for nxt in lines[i + 1 : i + 5]
        ):
            return i
    return None


def _trailing_quote(lines: list[str]) -> int | None:
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    start = end
    quoted = 0
    while start and (lines[start - 1].startswith(">") or not lines[start - 1].strip()):
        start -= 1
        quoted += lines[start].startswith(">")
    if not quoted:
        return None
    while start < end and not lines[start].strip():
        start += 1
    if start and lines[start - 1].rstrip().endswith(":"):
        start -= 1
    return start


def split_quoted(text: str) -> tuple[str, str]:
    """Return ``(fresh, history)`` of a plain-text body (both stripped of surrounding blank lines)."""
    lines = text.split("\n")
    at = _marker_at(lines)
    if at == -1:
        return text.strip("\n"), ""
    if at is None:
        at = _trailing_quote(lines)
    if at is None:
        return text.strip("\n"), ""
    fresh = "\n".join(lines[:at]).rstrip()
    history = "\n".join(lines[at:]).strip("\n")
    if not fresh.strip():
        return text.strip("\n"), ""
    return fresh.strip("\n"), history
