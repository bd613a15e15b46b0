"""Reads of cases, with their related rows fetched up front (no N+1 in lists).

Every read for a person goes through ``charterdesk.cases.access`` (who may see what)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from charterdesk.cases.access import case_for_user_or_404
from charterdesk.cases.models import Case, CaseEvent, CaseLink, Message


def case_list() -> QuerySet[Case]:
    return Case.objects.select_related("client", "programme", "assignee", "team", "office")


def case_detail(pk: int, *, who: Any) -> Case:
    """The case with everything its page shows, if ``who`` may see it (else ``CaseNotFound``, a
    404; ``who=None`` is the system)."""
    queryset = (
        case_list()
        .select_related("referred_to")
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=Message.objects.select_related("author").prefetch_related("attachments"),
            ),
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor", "message")),
            "named",
        )
    )
    return case_for_user_or_404(who, pk, queryset)


def case_timeline(case: Case) -> list[Message | CaseEvent]:
    """Messages and events of ``case`` in time order (uses the prefetched rows)."""
    items: list[Message | CaseEvent] = [*case.messages.all(), *case.events.all()]
    items.sort(
        key=lambda item: (item.created_at if isinstance(item, Message) else item.at, item.pk or 0)
    )
    return items


def case_links(case: Case) -> tuple[list[CaseLink], list[CaseLink]]:
    """``(links from case, links to case)``, the other case of each fetched."""
    links = list(
        CaseLink.objects.filter(Q(case=case) | Q(other=case)).select_related("case", "other")
    )
    return [x for x in links if x.case_id == case.pk], [x for x in links if x.other_id == case.pk]
