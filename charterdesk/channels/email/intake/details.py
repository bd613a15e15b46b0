"""Why a message is in quarantine, in the reader's language.

Each detail is stored twice on the row: in English in ``InboundEmail.error`` (for logs, support
and the command line's ``--lang`` of choice) and as its template and values in
``info["detail"]``, from which :func:`shown` renders it in the active language.  The templates
are marked for translation here and where they are written.
"""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_noop

# The parser's own reasons (it imports nothing of Django, so its texts are listed here).
PARSE_ERRORS = {
    "the message is empty": gettext_noop("the message is empty"),
    "the message does not start with a header line (not an e-mail message)": gettext_noop(
        "the message does not start with a header line (not an e-mail message)"
    ),
    "the MIME structure is nested too deeply to read": gettext_noop(
        "the MIME structure is nested too deeply to read"
    ),
    "the message has no header fields": gettext_noop("the message has no header fields"),
}


def detail(template: str, **params: Any) -> tuple[str, dict[str, Any]]:
    """``(English text, stored form)`` of a detail; ``template`` is a ``gettext_noop`` text."""
    values = {k: v if isinstance(v, (int, float)) else str(v) for k, v in params.items()}
    return template % values, {"template": template, "params": values}


def shown(error: str, info: dict[str, Any] | None) -> str:
    """The detail of a row in the active language, numbers written as the language writes them
    (its English text when it has no template)."""
    stored = (info or {}).get("detail")
    if not isinstance(stored, dict):
        return error
    try:
        params = {
            k: number_format(v, force_grouping=True) if isinstance(v, int) else v
            for k, v in (stored.get("params") or {}).items()
        }
        if isinstance(params.get("error"), str):
            prefix, _sep, rest = params["error"].partition(": ")
            if rest in PARSE_ERRORS and prefix == "ParseError":
                params["error"] = gettext(PARSE_ERRORS[rest])
        return gettext(str(stored["template"])) % params
    except (KeyError, TypeError, ValueError):
        return error
