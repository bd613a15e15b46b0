"""Marking a case confidential and naming who outside its team may see it [CONFIDENTIALITY]."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from charterdesk.cases.access import require_reassign
from charterdesk.cases.models import Case
from charterdesk.cases.recording import record_event
from charterdesk.cases.services._common import lock
from charterdesk.directory.models import Employee
from charterdesk.standard.events import Event


@transaction.atomic
def case_set_confidential(
    *,
    case: Case,
    by: Employee | None,
    confidential: bool,
    named: Sequence[Employee] = (),
    expected_version: int | None = None,
) -> Case:
    """Set whether ``case`` is confidential and who is named on it (replacing the earlier names).

    Those who may reassign the case may do this: its assignee, the lead of its team, or anyone who
    may change it while it is unassigned.  Writes ``case.confidentiality`` with the names."""
    locked = lock(case, expected_version, by=by)
    require_reassign(by, locked)
    locked.confidential = confidential
    locked.save(update_fields=["confidential"])
    people = sorted({e.pk: e for e in named}.values(), key=lambda e: (e.surname, e.first_name))
    locked.named.set(people)
    record_event(
        case=locked,
        type=Event.CASE_CONFIDENTIALITY,
        actor=by,
        confidential=confidential,
        named=[e.full_name for e in people],
    )
    return locked
