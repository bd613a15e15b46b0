"""Opening a case and moving it through its life: assign, transfer, resolve, close, reopen."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from charterdesk.cases.access import require_reassign
from charterdesk.cases.errors import CaseError
from charterdesk.cases.events import record_event
from charterdesk.cases.models import Case, Channel
from charterdesk.cases.references import next_reference
from charterdesk.cases.services._common import lock, set_status
from charterdesk.cases.status import Status
from charterdesk.clients.models import Client
from charterdesk.directory.models import Employee, Office, Programme, Team
from charterdesk.standard.events import Event


@transaction.atomic
def case_open(
    *,
    client: Client,
    channel: str,
    subject: str,
    programme: Programme | None = None,
    office: Office | None = None,
    team: Team | None = None,
    assignee: Employee | None = None,
    language: str | None = None,
    by: Employee | None = None,
    at: datetime | None = None,
) -> Case:
    """Open a case with a fresh reference and write ``case.opened``.  The first message is added
    separately with :func:`case_add_message`, so every channel opens cases the same way."""
    now = at or timezone.now()
    channel = Channel(channel)
    subject = (subject or "").strip()[:300]
    case = Case.objects.create(
        reference=next_reference(localtime(now).year),
        subject=subject or "—",
        client=client,
        programme=programme,
        office=office,
        team=team or (assignee.team if assignee else None),
        assignee=assignee,
        channel=channel,
        status=Status.OPEN if assignee else Status.NEW,
        language=language or client.language,
        created_at=now,
        updated_at=now,
    )
    record_event(case=case, type=Event.CASE_OPENED, actor=by, at=now, channel=channel.value)
    if assignee:
        record_event(
            case=case,
            type=Event.CASE_ASSIGNED,
            actor=by,
            at=now,
            to=assignee.pk,
            to_name=assignee.full_name,
        )
    return case


def _hand_over(
    case: Case, to: Employee, by: Employee | None, event: Event, refusal: str, **params: Any
) -> Case:
    """Give the locked ``case`` to ``to``; ``refusal`` is the message when its status forbids it."""
    if not to.is_active:
        raise CaseError(
            _("%(name)s is not an active employee and cannot take case %(ref)s.")
            % {"name": to.full_name, "ref": case.reference}
        )
    if Status(case.status) not in (Status.NEW, Status.OPEN, Status.WAITING):
        raise CaseError(refusal % {"ref": case.reference, "status": case.get_status_display()})
    require_reassign(by, case)
    previous = case.assignee_id
    case.assignee = to
    case.team = to.team or case.team
    case.save(update_fields=["assignee", "team"])
    if case.status == Status.NEW:
        set_status(case, Status.OPEN, by=by, event=False)
    record_event(
        case=case, type=event, actor=by, to=to.pk, to_name=to.full_name, previous=previous, **params
    )
    return case


@transaction.atomic
def case_assign(
    *, case: Case, to: Employee, by: Employee | None, expected_version: int | None = None
) -> Case:
    """Give the case to ``to``.  A new case becomes open."""
    case = lock(case, expected_version, by=by)
    return _hand_over(
        case,
        to,
        by,
        Event.CASE_ASSIGNED,
        _("Case %(ref)s is %(status)s; reopen it before assigning."),
    )


@transaction.atomic
def case_transfer(
    *, case: Case, to: Employee, by: Employee, note: str, expected_version: int | None = None
) -> Case:
    """Transfer to the competent colleague with a note [ROUTE-INTERNAL].

    The note is required.  Whether ``to`` holds the case programme's competence is recorded on the
    event, so the report can show how often cases went to a competent colleague [COMPETENCE-LIMIT]."""
    note = (note or "").strip()
    if not note:
        raise CaseError(
            _("A transfer of case %(ref)s needs a note for the colleague.")
            % {"ref": case.reference}
        )
    case = lock(case, expected_version, by=by)
    if to.pk == case.assignee_id:
        raise CaseError(
            _("Case %(ref)s is already with %(name)s.")
            % {"ref": case.reference, "name": to.full_name}
        )
    competent = case.programme_id is None or to.competences.filter(pk=case.programme_id).exists()
    return _hand_over(
        case,
        to,
        by,
        Event.CASE_TRANSFERRED,
        _("Case %(ref)s is %(status)s; reopen it before transferring."),
        note=note,
        competent=competent,
    )


@transaction.atomic
def case_set_waiting(*, case: Case, by: Employee, expected_version: int | None = None) -> Case:
    case = lock(case, expected_version, by=by)
    set_status(case, Status.WAITING, by=by, event=False)
    return case


@transaction.atomic
def case_resolve(
    *, case: Case, by: Employee, summary: str = "", expected_version: int | None = None
) -> Case:
    case = lock(case, expected_version, by=by)
    set_status(case, Status.RESOLVED, by=by, summary=summary.strip())
    return case


@transaction.atomic
def case_close(*, case: Case, by: Employee | None, expected_version: int | None = None) -> Case:
    case = lock(case, expected_version, by=by)
    set_status(case, Status.CLOSED, by=by)
    return case


@transaction.atomic
def case_reopen(
    *, case: Case, by: Employee | None, reason: str, expected_version: int | None = None
) -> Case:
    """Reopen a resolved, closed, declined or referred case; the reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise CaseError(_("Reopening case %(ref)s needs a reason.") % {"ref": case.reference})
    case = lock(case, expected_version, by=by)
    set_status(case, Status.OPEN, by=by, reason=reason)
    return case


def case_set_next_due(*, case_id: int, due: datetime | None) -> None:
    """Store the earliest due moment of the case's open timers (the inbox sorts by it).

    Called only by the SLA engine when timers change; not a change of the case itself, so it
    neither bumps the version nor writes an event (the timer's own events do)."""
    Case.objects.filter(pk=case_id).update(next_due_at=due)
