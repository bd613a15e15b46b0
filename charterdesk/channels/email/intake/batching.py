"""Collecting a batch's ordinary client messages for ``case_receive_batch``.

Inside a batch, a message that opens a case or adds a client request to a case is not written at
once: :func:`deliver` queues it here, and the batch writes all queued messages with one
``case_receive_batch`` (a few statements instead of a dozen per message).  The queue is written
(:meth:`Pending.flush`) *before* anything that could see the difference, so the result is the same
as writing each message when it is decided:

* a message whose In-Reply-To / References name a queued message (and no stored one before it)
  is queued on that message's case (``same_case_as``), as ``find_case`` would have found it;
* before a message whose subject names a case reference that is not stored yet (it may be a
  case opened earlier in the same batch);
* before a delivery report, an automatic message on a found case (its case's status decides
  between request and note) and anything else written directly;
* at the end of the batch.

A duplicate of a queued message (same Message-ID) gets the queued message's case and message
when the queue is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from charterdesk.cases.models import Case
from charterdesk.cases.services import InboundItem, case_receive_batch
from charterdesk.channels.email.intake.linking import (
    header_rows,
    references_in,
    stored_case_id,
    subject_case,
    wanted_ids,
)

if TYPE_CHECKING:
    from charterdesk.channels.email.intake.deliver import Outcome
    from charterdesk.channels.email.parsing import ParsedEmail


def _bare(message_id: str) -> str:
    return message_id.strip().strip("<>").strip()


@dataclass(slots=True)
class Pending:
    items: list[InboundItem] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    # bare Message-ID -> index of the queued item
    by_id: dict[str, int] = field(default_factory=dict)
    cases: set[int] = field(default_factory=set)
    duplicates: list[tuple[Outcome, int]] = field(default_factory=list)

    def add(self, item: InboundItem, outcome: Outcome) -> None:
        index = len(self.items)
        self.items.append(item)
        self.outcomes.append(outcome)
        bare = _bare(item.message_id)
        if bare:
            self.by_id[bare] = index  # the latest, as ``BatchContext.taken`` keeps it
        if item.case_id is not None:
            self.cases.add(item.case_id)

    def queued(self, bare: str) -> bool:
        return bool(bare) and bare in self.by_id

    def duplicate_of(self, bare: str, outcome: Outcome) -> None:
        self.duplicates.append((outcome, self.by_id[bare]))

    def find_case(
        self,
        parsed: ParsedEmail,
        lookup: Callable[[list[str]], dict[str, int]] = header_rows,
        forged: bool = False,
    ) -> tuple[Case | None, str, int | None] | None:
        """``linking.find_case`` with the queue in view: ``(case, how, queued index)`` where the
        index is the queued message it answers (case None then); None when only writing the
        queue first can tell (the caller flushes and asks ``linking.find_case``).  ``lookup``:
        ``linking.header_rows`` or the batch's equal of it."""
        wanted = wanted_ids(parsed)
        if wanted:
            rows = lookup(wanted)
            for value in wanted:
                stored = stored_case_id(rows, value)
                queued = self.by_id.get(_bare(value))
                if stored and queued is not None:
                    return None  # the same Message-ID twice (a released copy): flush first
                if stored:
                    return Case.objects.get(pk=stored), "headers", None
                if queued is not None:
                    return None, "headers", queued
        refs = references_in(parsed.subject)
        if refs and self.items:
            known = set(Case.objects.filter(reference__in=refs).values_list("reference", flat=True))
            if any(ref not in known for ref in refs):
                return None  # may be a case opened in the queue
        case = subject_case(parsed, forged)
        return (case, "subject", None) if case is not None else (None, "", None)

    def flush(self) -> dict[str, tuple[int, int]]:
        """Write the queue; fills the queued outcomes and returns ``{bare id: (case, message)}``."""
        if not self.items:
            return {}
        messages = case_receive_batch(self.items)
        written: dict[str, tuple[int, int]] = {}
        for item, outcome, message in zip(self.items, self.outcomes, messages, strict=True):
            outcome.case_id = message.case_id
            outcome.message_pk = message.pk
            bare = _bare(item.message_id)
            if bare:
                written[bare] = (message.case_id, message.pk)
        for outcome, index in self.duplicates:
            outcome.case_id = self.outcomes[index].case_id
            outcome.message_pk = self.outcomes[index].message_pk
        self.items, self.outcomes, self.duplicates = [], [], []
        self.by_id, self.cases = {}, set()
        return written
