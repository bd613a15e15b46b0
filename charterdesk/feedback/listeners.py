"""After a case is resolved (an e-mail, a call, a visit): ask for satisfaction.  [SURVEYS]

Registered in ``FeedbackConfig.ready``.  It runs inside the resolving transaction but in a
savepoint of its own: a survey that cannot be sent never undoes the resolution."""

from __future__ import annotations

import logging

from django.db import transaction

from charterdesk.cases.models import CaseEvent
from charterdesk.standard.events import Event

log = logging.getLogger(__name__)


def on_case_event(event: CaseEvent) -> None:
    if event.type != Event.CASE_RESOLVED:
        return
    from charterdesk.feedback.services import survey_invite

    try:
        with transaction.atomic():
            survey_invite(case=event.case, now=event.at)
    except Exception as exc:
        log.warning("case %s: no survey sent: %s", event.case.reference, exc)
