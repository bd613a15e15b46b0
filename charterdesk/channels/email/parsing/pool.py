"""Parsing many messages in worker processes.  This module imports nothing of Django, so the
workers are started fresh (``spawn``): they share no database connection or state with the
process that writes the cases."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import signal
from collections.abc import Sequence

from charterdesk.channels.email.parsing.message import parse_message
from charterdesk.channels.email.parsing.model import ParsedEmail

# parsed; the parse error as text; None: not parsed (over the size limit)
ParseResult = ParsedEmail | str | None


def parse_batch(
    items: Sequence[tuple[bytes, str | None, bool]], fallbacks: tuple[str, ...]
) -> list[ParseResult]:
    """``items`` are ``(raw, envelope sender, skip)``; never raises."""
    out: list[ParseResult] = []
    for raw, mail_from, skip in items:
        if skip:
            out.append(None)
            continue
        try:
            out.append(parse_message(raw, envelope_sender=mail_from, fallbacks=fallbacks))
        except Exception as exc:  # ParseError, or a bug: either way, quarantine with the reason
            out.append(f"{type(exc).__name__}: {exc}")
    return out


def die_with_parent() -> None:
    """The process ends when the process that started it is killed (Linux
    ``PR_SET_PDEATHSIG``), so a SIGKILLed import leaves no orphans."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: nothing to do
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


def init_parser_process() -> None:
    """Pool initializer: dies with its parent, and runs the cyclic garbage collector less often
    (parsing makes many short-lived objects per message)."""
    die_with_parent()
    gc.set_threshold(50_000, *gc.get_threshold()[1:])
