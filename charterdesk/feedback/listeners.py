"""After a case is resolved (an e-mail, a call, a visit): ask for satisfaction.  [SURVEYS]

Registered in ``FeedbackConfig.ready``.  The survey is sent after the resolving transaction has
committed, in a transaction of its own: a survey that cannot be sent never undoes or slows the
resolution, and a resolution that rolls back sends no survey."""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction

from charterdesk.cases.models import CaseEvent
from charterdesk.standard.events import Event

log = logging.getLogger(__name__)


def on_case_events(events: list[CaseEvent]) -> None:
    """Step 5 of the route (``assembly/route.py``): a resolved case asks for satisfaction after
    the resolution commits."""
    for event in events:
        if event.type != Event.CASE_RESOLVED:
            continue
        transaction.on_commit(partial(send_after_resolution, event.case_id, event.at), robust=True)


def send_after_resolution(case_id: int, at: object) -> None:
    from charterdesk.cases.models import Case
    from charterdesk.feedback.services import survey_invite

    case = Case.objects.select_related("client", "office", "programme", "assignee").get(pk=case_id)
    if case.status != "resolved":  # reopened meanwhile
        return
    try:
        survey_invite(case=case, now=at)  # type: ignore[arg-type]
    except Exception as exc:
        log.warning("case %s: no survey sent: %s", case.reference, exc)
