"""Which case a message belongs to: In-Reply-To / References first, then the case reference in the
subject.  Our outbound messages' Message-IDs are on ``cases.Message.message_id`` (indexed).

**No case hijack by subject** (issue 13).  Anybody can write ``ALT-2026-000008`` in a subject, so
a reference in the subject threads a message only when its sender is that case's client (their
address, case-insensitively) or an address that already wrote to that case, and only when the
receiving server did not find the sender forged (``Authentication-Results``: ``fail``).  Any other
sender's message opens a new case that *mentions* the named one (``cases.CaseLink``, shown on
both), and the named case is not reopened.  Threading by In-Reply-To / References to our own
Message-IDs is unchanged: those IDs are only in mail we sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from email.utils import parseaddr

from django.conf import settings

from charterdesk.cases.message_ids import bare, variants
from charterdesk.cases.models import Case, Direction, Message
from charterdesk.channels.email.parsing import ParsedEmail


def reference_pattern() -> re.Pattern[str]:
    prefix = re.escape(getattr(settings, "CHARTERDESK_CASE_PREFIX", "ALT"))
    return re.compile(rf"(?<![A-Za-z0-9]){prefix}-(\d{{4}})-(\d{{4,9}})(?![0-9])", re.IGNORECASE)


def references_in(subject: str) -> list[str]:
    prefix = getattr(settings, "CHARTERDESK_CASE_PREFIX", "ALT")
    return [f"{prefix}-{year}-{number}" for year, number in reference_pattern().findall(subject)]


def wanted_ids(parsed: ParsedEmail) -> list[str]:
    """The Message-IDs this message answers, in the order they count: In-Reply-To, then
    References newest first."""
    wanted = (
        [parsed.in_reply_to, *reversed(parsed.references)]
        if parsed.in_reply_to
        else list(reversed(parsed.references))
    )
    return [w for w in wanted if w]


def header_rows(wanted: list[str]) -> dict[str, int]:
    """``{stored Message-ID: case id}`` for the messages ``wanted`` names."""
    return dict(
        Message.objects.filter(message_id__in=variants(wanted))
        .order_by("created_at", "id")
        .values_list("message_id", "case_id")
    )


def stored_case_id(rows: dict[str, int], value: str) -> int | None:
    plain = bare(value)
    return rows.get(f"<{plain}>") or rows.get(plain)


def case_by_subject(subject: str) -> Case | None:
    """The newest case named in ``subject``, whoever wrote it (see :func:`subject_case`)."""
    refs = references_in(subject)
    if not refs:
        return None
    return (
        Case.objects.filter(reference__in=refs)
        .select_related("client")
        .order_by("-created_at")
        .first()
    )


def known_sender(case: Case, address: str) -> bool:
    """``address`` is the case's client's, or one that already wrote an e-mail to the case."""
    address = address.strip().lower()
    if not address:
        return False
    if (case.client.email or "").strip().lower() == address:
        return True
    senders = Message.objects.filter(
        case=case, direction=Direction.INBOUND, channel="email"
    ).values_list("sender", flat=True)
    return any(parseaddr(s)[1].strip().lower() == address for s in senders)


def subject_case(parsed: ParsedEmail, forged: bool = False) -> Case | None:
    """The case the subject names, if its sender may add to it (see the module's text);
    ``forged``: the receiving server found the sender forged."""
    case = case_by_subject(parsed.subject)
    if case is None or forged or parsed.sender is None:
        return None
    return case if known_sender(case, parsed.sender.address) else None


def mentioned_cases(parsed: ParsedEmail, exclude: int | None = None) -> list[Case]:
    """The cases named in the subject (a message that was not added to them mentions them)."""
    refs = references_in(parsed.subject)
    if not refs:
        return []
    cases = Case.objects.filter(reference__in=refs).order_by("created_at")
    return [c for c in cases[:20] if c.pk != exclude]


def find_case(
    parsed: ParsedEmail,
    lookup: Callable[[list[str]], dict[str, int]] = header_rows,
    queued: Mapping[str, int] | None = None,
    queue_length: int = 0,
    forged: bool = False,
) -> tuple[Case | None, str, int | None] | None:
    """The case ``parsed`` belongs to: ``(case, how, queued index)``.  ``how`` is ``"headers"``
    (In-Reply-To, then References newest first) or ``"subject"`` (the case reference in it), ``""``
    with no case.  ``lookup``: :func:`header_rows`, or a batch's equal of it.

    ``queued``: the messages of a batch not written yet (bare Message-ID -> index; there are
    ``queue_length`` of them); an answer to one of them gives ``(None, "headers", index)``.  None when only writing the queue first can
    tell: a Message-ID both stored and queued, or a subject naming a reference not stored (it may
    be a case the queue opens).  Without a queue the answer is never None.  ``forged``: the
    receiving server found the sender forged (no threading by subject then)."""
    queued = queued or {}
    wanted = wanted_ids(parsed)
    if wanted:
        rows = lookup(wanted)
        for value in wanted:
            stored = stored_case_id(rows, value)
            index = queued.get(bare(value))
            if stored and index is not None:
                return None  # the same Message-ID twice (a released copy): write the queue first
            if stored:
                return Case.objects.get(pk=stored), "headers", None
            if index is not None:
                return None, "headers", index
    refs = references_in(parsed.subject)
    if refs and queue_length:
        known = set(Case.objects.filter(reference__in=refs).values_list("reference", flat=True))
        if any(ref not in known for ref in refs):
            return None  # may be a case opened in the queue
    case = subject_case(parsed, forged)  # the case's own client only (see the module's text)
    return (case, "subject", None) if case is not None else (None, "", None)


def outbound_message(message_id: str) -> Message | None:
    """Our outbound message with this Message-ID (a bounce names it)."""
    if not message_id:
        return None
    return (
        Message.objects.filter(message_id__in=variants([message_id]), direction=Direction.OUTBOUND)
        .select_related("case")
        .first()
    )
