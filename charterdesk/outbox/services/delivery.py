"""Sending outbox rows through Django's e-mail backend, with retries and crash recovery.

Delivery is at-least-once with a stable ``Message-ID``:

1. *claim* — in its own transaction, under a row lock: a due ``pending`` row (or a ``sending`` row
   whose claim is older than the lease, i.e. its worker died) becomes ``sending``, ``attempts`` + 1;
2. *send* — the stored subject, bodies and headers go out through ``get_connection()``;
3. *mark* — ``sent``; or, on a temporary failure, back to ``pending`` with the next attempt after an
   exponential backoff (and a task deferred to then); on a permanent refusal (5xx) or when the
   attempts are used up, ``failed``.

A crash between 2 and 3 leaves the row ``sending``; after the lease the sweep sends it again — the
same stored mail with the same ``Message-ID``, so mail servers and clients see one message twice at
worst, never two different messages.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from charterdesk.cases.access import may_see
from charterdesk.cases.services import case_record_send_failure
from charterdesk.outbox.models import OutboxMessage, OutboxState
from charterdesk.outbox.services.write import outbox_enqueue

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    base: timedelta
    cap: timedelta
    max_attempts: int
    lease: timedelta
    smtp_timeout: float

    def delay(self, attempts: int) -> timedelta:
        """Wait after the ``attempts``-th failed attempt: base · 2^(attempts−1), at most ``cap``."""
        exponent = max(attempts - 1, 0)
        seconds = min(self.base.total_seconds() * (2**exponent), self.cap.total_seconds())
        return timedelta(seconds=seconds)


def retry_policy() -> RetryPolicy:
    """From settings, with defaults: 1 min doubling to at most 1 h, 10 attempts (≈ 4 h of outage),
    a 10-minute lease on a claim, 30 s SMTP timeout (``EMAIL_TIMEOUT`` if set)."""
    return RetryPolicy(
        base=timedelta(seconds=float(getattr(settings, "CHARTERDESK_OUTBOX_RETRY_BASE", 60))),
        cap=timedelta(seconds=float(getattr(settings, "CHARTERDESK_OUTBOX_RETRY_MAX", 3600))),
        max_attempts=int(getattr(settings, "CHARTERDESK_OUTBOX_MAX_ATTEMPTS", 10)),
        lease=timedelta(seconds=float(getattr(settings, "CHARTERDESK_OUTBOX_LEASE", 600))),
        smtp_timeout=float(getattr(settings, "EMAIL_TIMEOUT", None) or 30),
    )


class Outcome:
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"


def _claim(outbox_id: int, now: datetime, lease: timedelta) -> tuple[OutboxMessage | None, str]:
    with transaction.atomic():
        row = OutboxMessage.objects.select_for_update().filter(pk=outbox_id).first()
        if row is None:
            return None, "no such row"
        if row.state == OutboxState.PENDING and row.next_attempt_at > now:
            return None, "not due yet"
        if row.state == OutboxState.SENDING and row.claimed_at and row.claimed_at > now - lease:
            return None, "another worker is sending it"
        if row.state not in (OutboxState.PENDING, OutboxState.SENDING):
            return None, f"already {row.state}"
        row.state = OutboxState.SENDING
        row.attempts += 1
        row.claimed_at = now
        row.save(update_fields=["state", "attempts", "claimed_at"])
        return row, ""


def _permanent(exc: BaseException) -> bool:
    """5xx answers are permanent (the server will not take this mail); the rest may pass later.
    A refused login (535) is a configuration problem an administrator fixes: keep retrying."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _identity_intact(row: OutboxMessage) -> bool:
    """[EMAIL-IDENTITY] checked again at the door: the stored block must be in both bodies."""
    return bool(
        row.identity_text.strip()
        and row.identity_html.strip()
        and row.identity_text in row.body_text
        and row.identity_html in row.body_html
    )


def _employee_may_see(row: OutboxMessage) -> bool:
    employee = row.to_employee
    return employee is not None and employee.is_active and may_see(employee, row.case)


def build_email(row: OutboxMessage, connection: object | None = None) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=row.from_email,
        to=[row.to],
        headers=dict(row.headers),
        connection=connection,
    )
    email.attach_alternative(row.body_html, "text/html")
    # The reply's files, as the employee attached them on the case (content-addressed and never
    # changed, so a resend after a crash carries the same files).
    attachments = row.case_message.attachments.order_by("id") if row.case_message else []
    for attachment in attachments:
        with attachment.file.open("rb") as handle:
            email.attach(attachment.filename, handle.read(), attachment.content_type)
    return email


def _finish(row: OutboxMessage, **fields: object) -> bool:
    """Write the outcome only if the row is still ours (same claim), so a slow worker whose lease
    ran out cannot overwrite the result of the worker that took over."""
    updated = OutboxMessage.objects.filter(
        pk=row.pk, state=OutboxState.SENDING, attempts=row.attempts
    ).update(**fields)
    return updated == 1


def _give_up(row: OutboxMessage, error: str) -> None:
    """``failed`` (it needs a person), and the case timeline says so where the employee looks."""
    with transaction.atomic():
        done = _finish(row, state=OutboxState.FAILED, claimed_at=None, last_error=error)
        if done and row.case_message is not None:
            case_record_send_failure(message=row.case_message, reason=error)


def outbox_deliver(
    *, outbox_id: int, now: datetime | None = None, lease: timedelta | None = None
) -> str:
    """Send one outbox row if it is due; safe to call twice, from any number of workers."""
    policy = retry_policy()
    row, why = _claim(outbox_id, now or timezone.now(), policy.lease if lease is None else lease)
    if row is None:
        logger.debug("outbox %s not sent: %s", outbox_id, why)
        return f"{Outcome.SKIPPED}: {why}"
    if row.to_employee_id is not None and not _employee_may_see(row):
        # A notice deferred to working hours: the case may have become one the employee may not
        # see meanwhile (cases/access.py); it is withheld, never sent.
        _finish(
            row,
            state=OutboxState.FAILED,
            claimed_at=None,
            last_error="Withheld: the employee may no longer see the case.",
        )
        return Outcome.FAILED
    if row.case_message_id is not None and not _identity_intact(row):
        _give_up(row, "Refused: the identity block [EMAIL-IDENTITY] is missing from the mail.")
        logger.error("outbox %s refused: identity block missing", row.pk)
        return Outcome.FAILED
    try:
        connection = get_connection(timeout=policy.smtp_timeout)
        build_email(row, connection).send(fail_silently=False)
    except Exception as exc:
        failed_at = timezone.now()
        error = _describe(exc)
        if _permanent(exc) or row.attempts >= policy.max_attempts:
            _give_up(row, error)
            logger.error("outbox %s failed after %s attempt(s): %s", row.pk, row.attempts, error)
            return Outcome.FAILED
        when = failed_at + policy.delay(row.attempts)
        if _finish(
            row, state=OutboxState.PENDING, claimed_at=None, next_attempt_at=when, last_error=error
        ):
            transaction.on_commit(
                lambda: outbox_enqueue(outbox_id=row.pk, run_after=when), robust=True
            )
        logger.warning(
            "outbox %s attempt %s failed, next at %s: %s",
            row.pk,
            row.attempts,
            when.isoformat(),
            error,
        )
        return Outcome.RETRY
    _finish(row, state=OutboxState.SENT, sent_at=timezone.now(), claimed_at=None, last_error="")
    return Outcome.SENT


def due_rows(now: datetime, lease: timedelta) -> Q:
    """Pending rows that are due, and rows whose sending worker has been silent past the lease."""
    return Q(state=OutboxState.PENDING, next_attempt_at__lte=now) | Q(
        state=OutboxState.SENDING, claimed_at__lte=now - lease
    )


def outbox_send_pending(
    *, now: datetime | None = None, lease: timedelta | None = None, limit: int | None = None
) -> dict[str, int]:
    """The sweep: send everything due now (lost tasks, crashed workers, retries whose task is
    gone).  Returns how many rows ended how."""
    moment = now or timezone.now()
    lease = retry_policy().lease if lease is None else lease
    ids = list(
        OutboxMessage.objects.filter(due_rows(moment, lease))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[: limit or None]
    )
    counts: dict[str, int] = {}
    for outbox_id in ids:
        outcome = outbox_deliver(outbox_id=outbox_id, now=moment, lease=lease).split(":")[0]
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


@transaction.atomic
def outbox_retry(*, outbox: OutboxMessage, now: datetime | None = None) -> OutboxMessage:
    """Give a failed message one more attempt now (the administrator's "retry" action)."""
    row = OutboxMessage.objects.select_for_update().get(pk=outbox.pk)
    if row.state != OutboxState.FAILED:
        return row
    moment = now or timezone.now()
    row.state = OutboxState.PENDING
    row.next_attempt_at = moment
    row.save(update_fields=["state", "next_attempt_at"])
    transaction.on_commit(lambda: outbox_enqueue(outbox_id=row.pk), robust=True)
    return row
