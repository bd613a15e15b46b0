"""Which case a message belongs to: In-Reply-To / References first, then the case reference in the
subject.  Our outbound messages' Message-IDs are on ``cases.Message.message_id`` (indexed)."""

from __future__ import annotations

import re

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


def case_by_headers(parsed: ParsedEmail) -> Case | None:
    """The case of the newest message this one answers (In-Reply-To, then References newest first)."""
    wanted = wanted_ids(parsed)
    if not wanted:
        return None
    rows = header_rows(wanted)
    for value in wanted:
        case_id = stored_case_id(rows, value)
        if case_id:
            return Case.objects.get(pk=case_id)
    return None


def case_by_subject(subject: str) -> Case | None:
    refs = references_in(subject)
    if not refs:
        return None
    return Case.objects.filter(reference__in=refs).order_by("-created_at").first()


def find_case(parsed: ParsedEmail) -> tuple[Case | None, str]:
    """``(case, how)``: how is ``"headers"`` or ``"subject"`` (or ``""`` with no case)."""
    case = case_by_headers(parsed)
    if case is not None:
        return case, "headers"
    case = case_by_subject(parsed.subject)
    if case is not None:
        return case, "subject"
    return None, ""


def outbound_message(message_id: str) -> Message | None:
    """Our outbound message with this Message-ID (a bounce names it)."""
    if not message_id:
        return None
    return (
        Message.objects.filter(message_id__in=variants([message_id]), direction=Direction.OUTBOUND)
        .select_related("case")
        .first()
    )
