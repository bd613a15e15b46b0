"""Callbacks on a case [PHONE-ONE-CONTACT]: promised (on the call, or owed for a missed call) and
made.  The events start and stop the commitment's timer through the SLA listener."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from charterdesk.cases.errors import CaseError
from charterdesk.cases.models import Case, CaseEvent, Channel
from charterdesk.cases.recording import record_event
from charterdesk.cases.services._common import lock
from charterdesk.cases.status import Status
from charterdesk.directory.models import Employee
from charterdesk.standard.events import Event


@transaction.atomic
def case_promise_callback(
    *,
    case: Case,
    due: datetime,
    by: Employee | None = None,
    call_ref: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> CaseEvent:
    """Record that the client will be called back by ``due`` (``callback.promised``)."""
    now = at or timezone.now()
    if timezone.is_naive(due):
        raise CaseError(_("The promised time must carry a time zone."))
    if due <= now:
        raise CaseError(
            _("The callback time %(due)s is not in the future.")
            % {"due": timezone.localtime(due).strftime("%d.%m.%Y %H:%M")}
        )
    locked = lock(case, expected_version, by=by)
    if Status(locked.status) not in (Status.NEW, Status.OPEN, Status.WAITING):
        raise CaseError(
            _("Case %(ref)s is %(status)s; nothing to promise.")
            % {"ref": locked.reference, "status": locked.get_status_display()}
        )
    return record_event(
        case=locked,
        type=Event.CALLBACK_PROMISED,
        actor=by,
        at=now,
        channel=Channel.PHONE.value,
        due=due.isoformat(),
        call=call_ref,
    )


@transaction.atomic
def case_record_callback(
    *,
    case: Case,
    by: Employee,
    at: datetime | None = None,
    call_ref: str = "",
    expected_version: int | None = None,
) -> CaseEvent:
    """Record that the client was called back (``callback.made``)."""
    locked = lock(case, expected_version, by=by)
    return record_event(
        case=locked,
        type=Event.CALLBACK_MADE,
        actor=by,
        at=at or timezone.now(),
        channel=Channel.PHONE.value,
        call=call_ref,
    )
