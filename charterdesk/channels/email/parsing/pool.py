"""Parsing many messages in worker processes.  This module imports nothing of Django, so the
workers are started fresh (``spawn``): they share no database connection or state with the
process that writes the cases.

**Time limit.** Each message is parsed under ``seconds`` (:func:`time_limit`: ``SIGALRM`` from
``setitimer``, so only in a process's main thread, where a pool worker or the command runs it).
Past it the message's result is :class:`TooComplex` and the next message is parsed.  The alarm
interrupts Python code, not a call into C that never returns; :func:`parse_isolated` is the
backstop for that and for crashes: it parses in a child process that the caller kills when a
message takes too long, then goes on with the next message in a new child."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection
from typing import Any

from charterdesk.channels.email.parsing.message import parse_message
from charterdesk.channels.email.parsing.model import ParsedEmail, TooComplex

# parsed; the parse error as text; too complex (time limit, crash); None: not parsed (too large)
ParseResult = ParsedEmail | str | TooComplex | None
# A child process gets this long to start (spawn, imports) before its first message counts.
START_SECONDS = 60.0


class ParseTimeout(BaseException):
    """Raised inside the parser when a message's time is up (a ``BaseException``: the parser's
    own ``except Exception`` must not catch it)."""


class _Limit:
    """The state of one :func:`time_limit` block: whether its alarm went off."""

    __slots__ = ("fired",)

    def __init__(self) -> None:
        self.fired = False


def _alarm_for(limit: _Limit) -> Callable[[int, Any], None]:
    def alarm(_signum: int, _frame: Any) -> None:
        limit.fired = True
        raise ParseTimeout

    return alarm


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[_Limit | None]:
    """Raise :class:`ParseTimeout` in the block after ``seconds``; yields the limit's state (None
    when no limit is set: outside the main thread, or without ``seconds``).

    An exception raised by a signal handler while Python runs a garbage-collector callback or an
    object's ``__del__`` is swallowed ("Exception ignored in …") and the block goes on, so the
    cyclic collector is off inside the block (no callbacks; a parse makes few cycles, freed when
    it ends), and ``fired`` tells the caller that the time was up even if the exception was lost."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield None
        return
    limit = _Limit()
    collecting = gc.isenabled()
    gc.disable()
    previous = signal.signal(signal.SIGALRM, _alarm_for(limit))
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield limit
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if collecting:
            gc.enable()


def parse_one(
    raw: bytes, mail_from: str | None, skip: bool, fallbacks: tuple[str, ...], seconds: float | None
) -> ParseResult:
    """One message, never raising."""
    if skip:
        return None
    try:
        with time_limit(seconds) as limit:
            parsed = parse_message(raw, envelope_sender=mail_from, fallbacks=fallbacks)
        if limit is not None and limit.fired:  # the time was up, its exception lost (above)
            return TooComplex(float(seconds or 0))
        return parsed
    except ParseTimeout:
        return TooComplex(float(seconds or 0))
    except Exception as exc:  # ParseError, or a bug: either way, quarantine with the reason
        return f"{type(exc).__name__}: {exc}"


def parse_batch(
    items: Sequence[tuple[bytes, str | None, bool]],
    fallbacks: tuple[str, ...],
    seconds: float | None = None,
) -> list[ParseResult]:
    """``items`` are ``(raw, envelope sender, skip)``; never raises."""
    return [parse_one(raw, mail_from, skip, fallbacks, seconds) for raw, mail_from, skip in items]


def _child(
    conn: Connection,
    items: Sequence[tuple[bytes, str | None, bool]],
    fallbacks: tuple[str, ...],
    seconds: float | None,
    parse: Callable[..., ParseResult],
) -> None:
    init_parser_process()
    conn.send("ready")
    for raw, mail_from, skip in items:
        conn.send(parse(raw, mail_from, skip, fallbacks, seconds))
    conn.close()


def parse_isolated(
    items: Sequence[tuple[bytes, str | None, bool]],
    fallbacks: tuple[str, ...],
    seconds: float,
    parse: Callable[..., ParseResult] = parse_one,
) -> list[ParseResult]:
    """:func:`parse_batch` in a child process that is killed when one message takes longer than
    ``seconds`` (plus a second) or ends the process: that message is :class:`TooComplex`, and a
    new child goes on with the next.  Never raises for a message; at most one child per message
    that fails so.  ``parse``: :func:`parse_one` (a test gives one that kills its process)."""
    context = multiprocessing.get_context("spawn")
    results: list[ParseResult] = []
    while len(results) < len(items):
        receive, send = context.Pipe(duplex=False)
        process = context.Process(
            target=_child,
            args=(send, items[len(results) :], fallbacks, seconds, parse),
            daemon=True,
        )
        process.start()
        send.close()
        try:
            try:
                ready = receive.poll(START_SECONDS) and receive.recv() == "ready"
            except EOFError:
                ready = False
            if not ready:
                raise RuntimeError("the parser process did not start")
            while len(results) < len(items):
                if not receive.poll(seconds + 1.0):
                    results.append(TooComplex(seconds))
                    break
                try:
                    results.append(receive.recv())
                except EOFError:  # the process ended while parsing this message
                    results.append(TooComplex(seconds, crashed=True))
                    break
        finally:
            receive.close()
            if process.is_alive():
                process.kill()
            process.join()
    return results


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
