"""Step two of intake: turn stored rows into cases, in batches, so that nothing is lost or doubled.

- Rows are taken in id order, ``batch_size`` at a time (``SELECT … FOR UPDATE SKIP LOCKED`` on
  PostgreSQL, so several processes may run).  Before a batch is written its rows' ``attempts``
  counter is raised and committed: if the process dies while writing them, the next run sees it.
- Parsing (pure, no database) runs in a pool of worker processes when one is given; the next batch
  is parsed while the current one is written.  Each message is parsed under a time limit
  (``CHARTERDESK_EMAIL_PARSE_SECONDS``); one over it goes to quarantine as ``too_complex``.
- A batch parsed in this process is parsed just before it is written, and its try is counted
  before it is parsed (so a crash while parsing is seen too).  A batch
  with an earlier try that died (the process ended while parsing or writing it), a pool that
  broke or did not answer in time, and processing outside the main thread (where no alarm can
  be set) parse in a child process that is killed when one message takes too long
  (``parsing.pool.parse_isolated``): that message is ``too_complex``, the rest goes on.
- A batch is written in one transaction: every case change of its messages plus each row's new
  state.  A crash rolls all of it back, and the rows are simply still ``stored``.
- If the batch raises, or an earlier try of it died, its messages are taken one at a time, each in
  its own transaction; one that fails again goes to quarantine (``processing_error``) with the
  error, and the rest carry on.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import F, Field
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from charterdesk.channels.email import conf
from charterdesk.channels.email.intake.context import BatchContext, Outcome
from charterdesk.channels.email.intake.limits import domain_of
from charterdesk.channels.email.intake.parser import Parser, count_try, make_pool
from charterdesk.channels.email.intake.rules import apply_rules
from charterdesk.channels.email.models import InboundEmail, InboundState, QuarantineReason
from charterdesk.channels.email.parsing import Address, ParsedAttachment, ParsedEmail
from charterdesk.channels.email.parsing.model import TooComplex
from charterdesk.channels.email.parsing.pool import ParseResult
from charterdesk.core.bulk import preparer

log = logging.getLogger(__name__)

# A row whose earlier tries died with the process this often goes to quarantine.
MAX_ATTEMPTS = 6
# Following a storing process: seconds between looks when no stored row is waiting.
FOLLOW_WAIT = 0.05
_LOAD_FIELDS = (
    "id",
    "raw",
    "size",
    "envelope",
    "received_at",
    "source",
    "attempts",
    "message_id",
    "released_at",
    "info",
)
_SAVE_FIELDS = [
    "state",
    "reason",
    "error",
    "sender",
    "sender_domain",
    "subject",
    "case",
    "case_message",
    "processed_at",
    "info",
]


@dataclass(slots=True)
class ProcessStats:
    processed: int = 0
    quarantined: int = 0
    duplicate: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.processed + self.quarantined + self.duplicate

    def add(self, outcome: Outcome) -> None:
        if outcome.state == InboundState.PROCESSED:
            self.processed += 1
        elif outcome.state == InboundState.DUPLICATE:
            self.duplicate += 1
        else:
            self.quarantined += 1
            self.by_reason[outcome.reason] = self.by_reason.get(outcome.reason, 0) + 1


# --- claiming rows ---------------------------------------------------------------------------------


def _claim(
    limit: int, ids: Sequence[int] | None, after: int, besides: Sequence[int] = ()
) -> list[InboundEmail]:
    """The next stored rows above id ``after`` (not those of ``besides``)."""
    with transaction.atomic():
        query = InboundEmail.objects.filter(state=InboundState.STORED, pk__gt=after)
        if ids is not None:
            query = query.filter(pk__in=list(ids))
        if besides:
            query = query.exclude(pk__in=list(besides))
        query = query.order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            query = query.select_for_update(skip_locked=True)
        return list(query.only(*_LOAD_FIELDS)[:limit])


# --- deciding and saving -----------------------------------------------------------------------


def _fallback_parsed(row: InboundEmail, error: str, sender: str) -> ParsedEmail:
    """A released message the parser could not read: a case with the original attached."""
    with translation.override(None):
        subject = _("(unreadable e-mail)")
        text = _("This e-mail could not be read (%(error)s); the original is attached.") % {
            "error": error
        }
    address = sender or str(row.envelope.get("mail_from") or "")
    return ParsedEmail(
        message_id=row.message_id,
        in_reply_to="",
        references=[],
        subject=subject,
        sender=Address("", address) if address else None,
        reply_to=[],
        to=[],
        cc=[],
        delivered_to=[],
        date=None,
        text=text,
        quoted="",
        html="",
        attachments=[ParsedAttachment("message.eml", "message/rfc822", bytes(row.raw))],
        auto_submitted="",
        report=None,
        repairs=[],
        defects=[error],
        language="lv",
        security="",
        size=row.size,
    )


def _decide(
    row: InboundEmail, result: ParseResult, ctx: BatchContext
) -> tuple[Outcome, ParsedEmail | None]:
    force = row.released_at is not None
    override = str((row.info or {}).get("release_sender") or "")
    if result is None:
        limit = conf.max_bytes()
        return Outcome.quarantine(
            QuarantineReason.TOO_LARGE,
            gettext_noop("%(size)s bytes; the limit is %(limit)s bytes."),
            {"size": row.size, "limit": limit},
        ), None
    if isinstance(result, TooComplex):
        if not force:
            if result.crashed:
                template = gettext_noop(
                    "The parser process ended while reading this message; it was not read."
                )
            else:
                template = gettext_noop(
                    "The message is too complex: reading it took longer than the time allowed "
                    "(%(seconds)s s), so it was stopped."
                )
            return Outcome.quarantine(
                QuarantineReason.TOO_COMPLEX, template, {"seconds": int(result.seconds)}
            ), None
        result = _fallback_parsed(row, "too complex to read", override)
    if isinstance(result, str):
        if not force:
            return Outcome.quarantine(
                QuarantineReason.UNPARSEABLE,
                gettext_noop("The message cannot be read: %(error)s"),
                {"error": result},
            ), None
        result = _fallback_parsed(row, result, override)
    return apply_rules(row, result, ctx, force=force, sender_override=override), result


def _apply(row: InboundEmail, outcome: Outcome, parsed: ParsedEmail | None) -> None:
    now = timezone.now()
    row.state = outcome.state
    row.reason = outcome.reason
    row.error = outcome.error
    if parsed is not None:
        row.sender = parsed.sender.address.lower()[:300] if parsed.sender else ""
        row.sender_domain = domain_of(row.sender)[:255]
        row.subject = parsed.subject[:300]
    row.case_id = outcome.case_id
    row.case_message_id = outcome.message_pk
    row.processed_at = now
    info = dict(row.info or {})
    info.pop("detail", None)  # an earlier quarantine's detail (a released row)
    info.update(outcome.info)
    row.info = info


def _save_rows(rows: list[InboundEmail]) -> None:
    """The rows' new state in one round of ``executemany`` (Django's ``bulk_update`` builds a
    CASE expression per field and row, which costs more than the case work itself)."""
    if not rows:
        return
    fields: list[Field[Any, Any]] = [
        cast("Field[Any, Any]", InboundEmail._meta.get_field(name)) for name in _SAVE_FIELDS
    ]
    columns = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    table = connection.ops.quote_name(InboundEmail._meta.db_table)
    prepared = [(f.attname, preparer(f, connection)) for f in fields]
    params = [[*(prep(getattr(row, name)) for name, prep in prepared), row.pk] for row in rows]
    with connection.cursor() as cursor:
        # Table and column names come from the model, quoted; every value is a parameter.
        cursor.executemany(f"UPDATE {table} SET {columns} WHERE id = %s", params)  # nosec B608


def _context(results: Sequence[ParseResult], rows: Sequence[InboundEmail]) -> BatchContext:
    parsed = [r for r in results if isinstance(r, ParsedEmail)]
    return BatchContext(parsed, since=min(r.received_at for r in rows))


def _write_batch(rows: list[InboundEmail], results: list[ParseResult], stats: ProcessStats) -> None:
    ctx = _context(results, rows)
    decided: list[tuple[InboundEmail, Outcome, ParsedEmail | None]] = []
    done: list[tuple[InboundEmail, Outcome]] = []
    with transaction.atomic():
        locked = set(
            InboundEmail.objects.select_for_update()
            .filter(pk__in=[r.pk for r in rows], state=InboundState.STORED)
            .values_list("pk", flat=True)
        )
        for row, result in zip(rows, results, strict=True):
            if row.pk not in locked:
                continue  # another process took it meanwhile
            outcome, parsed = _decide(row, result, ctx)
            decided.append((row, outcome, parsed))
        # The queued client messages in one case_receive_batch; fills their outcomes.
        ctx.flush()
        for row, outcome, parsed in decided:
            _apply(row, outcome, parsed)
            done.append((row, outcome))
        _save_rows([r for r, _o in done])
    for _row, outcome in done:
        stats.add(outcome)


def _write_one(row: InboundEmail, result: ParseResult, stats: ProcessStats) -> None:
    """One message in its own transaction; a failure quarantines it and nothing else."""
    attempts = InboundEmail.objects.filter(pk=row.pk, state=InboundState.STORED).update(
        attempts=F("attempts") + 1
    )
    if not attempts:
        return
    row.refresh_from_db(fields=["attempts"])
    outcome: Outcome
    parsed: ParsedEmail | None = None
    if row.attempts > MAX_ATTEMPTS:
        outcome = Outcome.quarantine(
            QuarantineReason.PROCESSING_ERROR,
            gettext_noop("Processing stopped %(times)s times while working on this message."),
            {"times": row.attempts - 1},
        )
    else:
        try:
            with transaction.atomic():
                if (
                    not InboundEmail.objects.select_for_update()
                    .filter(pk=row.pk, state=InboundState.STORED)
                    .exists()
                ):
                    return
                ctx = _context([result], [row])
                outcome, parsed = _decide(row, result, ctx)
                ctx.flush()  # a batch of one: the same road
                _apply(row, outcome, parsed)
                row.save(update_fields=_SAVE_FIELDS)
            stats.add(outcome)
            return
        except Exception as exc:
            log.exception("e-mail %s could not be processed", row.pk)
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            outcome = Outcome.quarantine(
                QuarantineReason.PROCESSING_ERROR,
                gettext_noop("Processing failed: %(error)s"),
                {"error": detail[:4000]},
            )
            parsed = result if isinstance(result, ParsedEmail) else None
    _apply(row, outcome, parsed)
    InboundEmail.objects.filter(pk=row.pk, state=InboundState.STORED).update(
        state=row.state,
        reason=row.reason,
        error=row.error,
        sender=row.sender,
        sender_domain=row.sender_domain,
        subject=row.subject,
        case=None,
        case_message=None,
        processed_at=row.processed_at,
        info=row.info,
    )
    stats.add(outcome)


def _batches(
    batch_size: int,
    ids: Sequence[int] | None,
    limit: int | None,
    follow: Callable[[], bool] | None = None,
) -> Iterator[list[InboundEmail]]:
    """Stored rows in id order, ``batch_size`` at a time.  With ``follow``: while it returns
    True (more rows are being stored), an empty claim yields ``[]`` (the caller waits and asks
    again); after that, one pass from the start takes rows committed out of id order."""
    after = 0
    left = limit if limit is not None else -1
    final = follow is None
    # The batch yielded last may still be being written while the next is claimed: the last
    # pass leaves it out.
    held: list[int] = []
    while left != 0:
        size = batch_size if left < 0 else min(batch_size, left)
        rows = _claim(size, ids, after, held if final and follow is not None else ())
        if not rows:
            if final:
                return
            if follow is not None and follow():
                yield []
                continue
            final, after = True, 0
            continue
        after = rows[-1].pk
        held = [row.pk for row in rows]
        left = left - len(rows) if left > 0 else left
        yield rows


def process_pending(
    *,
    batch_size: int | None = None,
    workers: int | None = None,
    ids: Sequence[int] | None = None,
    progress: Callable[[ProcessStats], None] | None = None,
    limit: int | None = None,
    follow: Callable[[], bool] | None = None,
) -> ProcessStats:
    """Process every stored row (or only ``ids``, or at most ``limit`` rows) until none is left;
    returns the counts.  ``follow``: see ``_batches`` (processing beside storing)."""
    size = batch_size or conf.batch_size()
    with _fewer_collections():
        return _process(size, workers, ids, progress, limit, follow)


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """A batch makes tens of thousands of short-lived objects (rows, events, timers); with the
    default threshold (700) the cyclic garbage collector ran every few dozen rows and took ~8 %
    of the processing time.  Processing collects less often; reference counting frees the rest."""
    before = gc.get_threshold()
    gc.freeze()  # what exists already (Django's registries, the policy) is not scanned again
    gc.set_threshold(max(before[0], 50_000), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def _process(
    size: int,
    workers: int | None,
    ids: Sequence[int] | None,
    progress: Callable[[ProcessStats], None] | None,
    limit: int | None,
    follow: Callable[[], bool] | None,
) -> ProcessStats:
    pool = make_pool(conf.parse_workers() if workers is None else workers)
    parser = Parser(pool)
    stats = ProcessStats()
    finished = False
    try:
        batches = _batches(size, ids, limit, follow)
        current = next(batches, None)
        pending = parser.submit(current) if current else None
        while current is not None:
            if pending is None:  # following the storing: nothing stored yet
                time.sleep(FOLLOW_WAIT)
                current = next(batches, None)
                pending = parser.submit(current) if current else None
                continue
            following = next(batches, None)
            following_parse = parser.submit(following) if following else None
            results = parser.result(pending, current)
            retried = any(r.attempts > 0 for r in current)  # an earlier try died with the process
            if retried:
                for row, result in zip(current, results, strict=True):
                    _write_one(row, result, stats)
            else:
                # Count the try first (committed): if the process dies while writing this batch,
                # the next run sees it and takes these messages one at a time.
                if not parser.counted:  # (parsed here: counted just before parsing)
                    count_try(current)
                try:
                    _write_batch(current, results, stats)
                except Exception:
                    log.warning(
                        "batch of %s e-mails failed; taking them one at a time",
                        len(current),
                        exc_info=True,
                    )
                    for row, result in zip(current, results, strict=True):
                        _write_one(row, result, stats)
            if progress is not None:
                progress(stats)
            current, pending = following, following_parse
        finished = True
    finally:
        if parser.pool is not None:
            # Done: wait for the workers to end (a process that exits while its pool's workers
            # still wait for work can hang in multiprocessing's exit handler).  On an error, no.
            parser.pool.shutdown(wait=finished, cancel_futures=True)
    return stats
