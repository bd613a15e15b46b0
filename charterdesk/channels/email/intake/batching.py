"""Collecting a batch's ordinary client messages for ``case_receive_batch``.

Inside a batch, a message that opens a case or adds a client request to a case is not written at
once: :func:`rules.apply_rules` queues it here, and the batch writes all queued messages with one
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

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from charterdesk.cases import message_ids
from charterdesk.cases.services import InboundItem, case_receive_batch

if TYPE_CHECKING:
    from charterdesk.channels.email.intake.context import Outcome


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
        bare = message_ids.bare(item.message_id)
        if bare:
            self.by_id[bare] = index  # the latest, as ``BatchContext.taken`` keeps it
        if item.case_id is not None:
            self.cases.add(item.case_id)

    def queued(self, bare: str) -> bool:
        return bool(bare) and bare in self.by_id

    def duplicate_of(self, bare: str, outcome: Outcome) -> None:
        self.duplicates.append((outcome, self.by_id[bare]))

    def flush(self) -> dict[str, tuple[int, int]]:
        """Write the queue; fills the queued outcomes and returns ``{bare id: (case, message)}``."""
        if not self.items:
            return {}
        messages = case_receive_batch(self.items)
        written: dict[str, tuple[int, int]] = {}
        for item, outcome, message in zip(self.items, self.outcomes, messages, strict=True):
            outcome.case_id = message.case_id
            outcome.message_pk = message.pk
            bare = message_ids.bare(item.message_id)
            if bare:
                written[bare] = (message.case_id, message.pk)
        for outcome, index in self.duplicates:
            outcome.case_id = self.outcomes[index].case_id
            outcome.message_pk = self.outcomes[index].message_pk
        self.items, self.outcomes, self.duplicates = [], [], []
        self.by_id, self.cases = {}, set()
        return written
