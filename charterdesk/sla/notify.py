"""Notifications about timers for the case's assignee and the team lead."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from charterdesk.cases.access import may_see
from charterdesk.cases.models import Case
from charterdesk.directory.models import Employee
from charterdesk.sla.models import Notification, NotificationKind, Timer
from charterdesk.standard import get_policy


def recipients(case: Case) -> list[Employee]:
    """The assignee and the lead of the case's team (or of the assignee's team), once each."""
    people: list[Employee] = []
    assignee = case.assignee
    if assignee is not None and assignee.is_active:
        people.append(assignee)
    team = case.team or (assignee.team if assignee is not None else None)
    lead = team.lead if team is not None else None
    if lead is not None and lead.is_active and all(p.pk != lead.pk for p in people):
        people.append(lead)
    # [CONFIDENTIALITY] nobody is told of a case they may not see (cases/access.py).
    return [p for p in people if may_see(p, case)]


def _language(employee: Employee) -> str:
    first = (employee.languages or "lv").split(",")[0].strip().lower()
    return first if first in ("lv", "en") else "lv"


def _text(kind: str, case: Case, timer: Timer, commitment_title: str) -> str:
    due = timezone.localtime(timer.due_at).strftime("%d.%m.%Y %H:%M")
    if kind == NotificationKind.WARNING:
        return _("Case %(reference)s: “%(commitment)s” is due %(due)s; the deadline is close.") % {
            "reference": case.reference,
            "commitment": commitment_title,
            "due": due,
        }
    return _(
        "Case %(reference)s: “%(commitment)s” was due %(due)s and the deadline was missed."
    ) % {
        "reference": case.reference,
        "commitment": commitment_title,
        "due": due,
    }


def notify(*, case: Case, timer: Timer, kind: NotificationKind, at: datetime) -> list[Notification]:
    """Write one notification per recipient in the recipient's language (once per timer and kind)."""
    policy = get_policy()
    commitment = policy.commitments.get(timer.commitment_id)
    made: list[Notification] = []
    for person in recipients(case):
        language = _language(person)
        title = commitment.title_in(language) if commitment else timer.commitment_id
        with translation.override(language):
            text = _text(kind, case, timer, title)
        try:
            with transaction.atomic():
                made.append(
                    Notification.objects.create(
                        recipient=person,
                        case=case,
                        timer=timer,
                        kind=kind,
                        text=text,
                        created_at=at,
                    )
                )
        except IntegrityError:
            continue  # already told
    return made
