"""What the employee records about a call: the call note (a case message, a callback promised
or the matter answered), a callback made, and the sampled calls' reviews."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from charterdesk.cases.access import require_change
from charterdesk.cases.errors import CaseError
from charterdesk.cases.models import Case, Channel, Direction, MessageKind
from charterdesk.cases.services import (
    case_add_message,
    case_open,
    case_promise_callback,
    case_record_callback,
    case_resolve,
)
from charterdesk.cases.status import Status
from charterdesk.channels.phone.models import (
    Call,
    Callback,
    CallSample,
)
from charterdesk.channels.phone.services import (
    callback_due,
)
from charterdesk.clients.services import client_create
from charterdesk.core.validators import format_phone
from charterdesk.directory.models import Employee


class Outcome:
    ANSWERED = "answered"
    CALLBACK = "callback"


@transaction.atomic
def call_note_write(
    *,
    call: Call,
    by: Employee,
    body: str,
    outcome: str,
    case: Case | None = None,
    subject: str = "",
    callback_by: datetime | None = None,
    at: datetime | None = None,
) -> Case:
    """The employee's note of a call, on an existing case or a new one, with the outcome:
    answered on the call (the case is resolved), or a callback promised by a moment
    [PHONE-ONE-CONTACT] — at the latest the policy's duration on the business calendar.
    ``at``: when the note was written (default now; the demo replays its past days)."""
    body = (body or "").strip()
    if not body:
        raise CaseError(_("Write what the caller asked and what you answered."))
    if outcome not in (Outcome.ANSWERED, Outcome.CALLBACK):
        raise CaseError(_("Choose the outcome: answered on the call, or a callback."))
    now = at or timezone.now()
    latest = None
    if outcome == Outcome.CALLBACK:
        if callback_by is None:
            raise CaseError(_("Give the moment by which you will call back."))
        latest = callback_due(start=now)
        if callback_by > latest:
            raise CaseError(
                _("The standard allows a callback within one contact: by %(latest)s at the latest.")
                % {"latest": timezone.localtime(latest).strftime("%d.%m.%Y %H:%M")}
            )
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if case is None:
        client = locked.client
        if client is None:
            if not locked.caller:
                raise CaseError(
                    _("The caller's number is unknown: choose the client's case to write on.")
                )
            client = client_create(name=format_phone(locked.caller), phone=locked.caller)
            Call.objects.filter(pk=locked.pk).update(client=client)
        case = case_open(
            client=client,
            channel=Channel.PHONE,
            subject=subject.strip() or _("Phone call"),
            assignee=by,
            by=by,
            at=now,
        )
    else:
        require_change(by, case)
    if locked.client_id is not None and case.client_id != locked.client_id:
        raise CaseError(
            _("Case %(ref)s belongs to another client than the caller.") % {"ref": case.reference}
        )
    case_add_message(
        case=case,
        direction=Direction.INBOUND,
        kind=MessageKind.CALL,
        channel=Channel.PHONE,  # said on the phone, whatever way the case came (no e-mail timer)
        body=body,
        author=None,
        sender=locked.caller,
        meta={"call": locked.pk, "outcome": outcome, "noted_by": by.pk},
        at=now,
    )
    if outcome == Outcome.CALLBACK:
        assert callback_by is not None
        case_promise_callback(case=case, due=callback_by, by=by, call_ref=str(locked.pk), at=now)
        Callback.objects.create(
            case=case, call=locked, promised_at=now, due_at=callback_by, promised_by=by
        )
    else:
        fresh = Case.objects.get(pk=case.pk)
        if Status(fresh.status) in (Status.NEW, Status.OPEN, Status.WAITING):
            case_resolve(case=fresh, by=by, summary=_("Answered on the call."))
    Call.objects.filter(pk=locked.pk).update(case=case, note_written_at=now)
    return Case.objects.get(pk=case.pk)


@transaction.atomic
def callback_make(
    *, callback: Callback, by: Employee, note: str, at: datetime | None = None
) -> Callback:
    """The employee called the client back; the note says what was answered (``at``: when,
    default now)."""
    note = (note or "").strip()
    if not note:
        raise CaseError(_("Write what you told the client on the callback."))
    locked = Callback.objects.select_for_update().get(pk=callback.pk)
    if locked.made_at is not None:
        raise CaseError(_("This callback is already recorded."))
    now = at or timezone.now()
    case = locked.case
    case_add_message(
        case=case,
        direction=Direction.OUTBOUND,
        kind=MessageKind.CALL,
        channel=Channel.PHONE,  # told by phone: recorded as such, never an e-mail
        body=note,
        author=by,
        meta={"callback": locked.pk},
        at=now,
    )
    case_record_callback(case=case, by=by, at=now, call_ref=str(locked.call_id or ""))
    locked.made_at, locked.made_by = now, by
    locked.save(update_fields=["made_at", "made_by"])
    return locked


@transaction.atomic
def call_sample_record(
    *, call: Call, by: Employee, greeting_given: bool, answer_complete: bool, note: str = ""
) -> CallSample:
    """A team lead's check of a call for the greeting [PHONE-IDENTIFY]."""
    if call.answered_at is None:
        raise CaseError(_("Only answered calls can be checked for the greeting."))
    if CallSample.objects.filter(call=call).exists():
        raise CaseError(_("This call has already been checked."))
    return CallSample.objects.create(
        call=call,
        by=by,
        greeting_given=greeting_given,
        answer_complete=answer_complete,
        note=note.strip(),
        at=timezone.now(),
    )
