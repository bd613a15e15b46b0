"""Opening a case and moving it through its life: assign, transfer, resolve, close, reopen."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from charterdesk.cases.access import require_reassign
from charterdesk.cases.errors import CaseError
from charterdesk.cases.models import Case
from charterdesk.cases.recording import record_event
from charterdesk.cases.services._common import lock, set_status
from charterdesk.cases.services.receive import NewCase, cases_open
from charterdesk.cases.status import Status
from charterdesk.clients.models import Client
from charterdesk.directory.models import Employee, Office, Programme, Team
from charterdesk.standard.events import Event


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
    separately with :func:`case_add_message`, so every channel opens cases the same way.  The
    road of every opening: :func:`cases_open` with one item."""
    (case,) = cases_open(
        [
            NewCase(
                client=client,
                channel=channel,
                subject=subject,
                programme=programme,
                office=office,
                team=team,
                assignee=assignee,
                language=language,
                by=by,
                at=at,
            )
        ]
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
