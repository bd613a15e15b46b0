"""Notifications of deadline warnings and breaches: who is told, in the desk and by e-mail.

The SLA engine records ``timer.warning`` / ``timer.breached`` as case events; the route
(``assembly/route.py``, step "notifications") hands them to :func:`on_case_events` in the same
transaction.  Each event is told once to each recipient — the assignee and the lead of the case's
team — who may see the case (``cases/access.py``): a row per (recipient, event), unique in the
database, and with it one e-mail through the outbox, deferred to the recipient's next working
moment on the office's business calendar (``calendar``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from charterdesk.calendar import get_calendar
from charterdesk.cases.access import cases_visible_to, may_see
from charterdesk.cases.models import Case, CaseEvent
from charterdesk.directory.models import Employee
from charterdesk.notifications.models import Notification, NotificationKind
from charterdesk.outbox.services import outbox_write_notice
from charterdesk.standard import get_policy
from charterdesk.standard.events import Event

KINDS: dict[str, NotificationKind] = {
    Event.TIMER_WARNING.value: NotificationKind.WARNING,
    Event.TIMER_BREACHED.value: NotificationKind.BREACH,
}
#: The events this step hears (the route's step "notifications").
TOLD_EVENTS = frozenset({Event.TIMER_WARNING, Event.TIMER_BREACHED})


def recipients(case: Case) -> list[Employee]:
    """The assignee and the lead of the case's team (or of the assignee's team), once each,
    active, and only those who may see the case [CONFIDENTIALITY]."""
    people: list[Employee] = []
    assignee = case.assignee
    if assignee is not None and assignee.is_active:
        people.append(assignee)
    team = case.team or (assignee.team if assignee is not None else None)
    lead = team.lead if team is not None else None
    if lead is not None and lead.is_active and all(p.pk != lead.pk for p in people):
        people.append(lead)
    return [p for p in people if may_see(p, case)]


def language_of(employee: Employee) -> str:
    first = (employee.languages or "lv").split(",")[0].strip().lower()
    return first if first in ("lv", "en") else "lv"


def commitment_title(commitment_id: str, language: str) -> str:
    commitment = get_policy().commitments.get(commitment_id)
    return commitment.title_in(language) if commitment else commitment_id


def notification_text(notification: Notification, language: str | None = None) -> str:
    """The sentence of a notification in ``language`` (default: the active one)."""
    language = language or translation.get_language() or "lv"
    language = language if language in ("lv", "en") else "lv"
    title = commitment_title(notification.commitment_id, language)
    due = timezone.localtime(notification.due_at).strftime("%d.%m.%Y %H:%M")
    values = {"reference": notification.case.reference, "commitment": title, "due": due}
    with translation.override(language):
        if notification.kind == NotificationKind.WARNING:
            return (
                _("Case %(reference)s: “%(commitment)s” is due %(due)s; the deadline is close.")
                % values
            )
        return (
            _("Case %(reference)s: “%(commitment)s” was due %(due)s and the deadline was missed.")
            % values
        )


def email_moment(employee: Employee, case: Case, moment: datetime) -> datetime:
    """The first working moment at or after ``moment`` on the recipient's office calendar (their
    first office; else the case's office; else the institution's default)."""
    office = employee.offices.order_by("pk").first() or (case.office if case.office_id else None)
    return get_calendar(office).next_working_moment(moment)


def _email(notification: Notification, language: str, now: datetime) -> None:
    person = notification.recipient
    if not (person.email or "").strip():
        return
    with translation.override(language):
        subject = (
            _("Deadline close: %(reference)s")
            if notification.kind == NotificationKind.WARNING
            else _("Deadline missed: %(reference)s")
        ) % {"reference": notification.case.reference}
        link = settings.CHARTERDESK_PUBLIC_URL.rstrip("/") + reverse(
            "case", args=[notification.case_id]
        )
        body = "\n\n".join(
            [
                notification_text(notification, language),
                _("Open the case: %(link)s") % {"link": link},
                _("All your notifications: %(link)s")
                % {"link": settings.CHARTERDESK_PUBLIC_URL.rstrip("/") + reverse("notifications")},
            ]
        )
    row = outbox_write_notice(
        case=notification.case,
        employee=person,
        subject=subject,
        body=body,
        language=language,
        not_before=email_moment(person, notification.case, now),
        at=now,
    )
    notification.email = row
    notification.save(update_fields=["email"])


def notification_write(
    *, recipient: Employee, case: Case, event: CaseEvent, now: datetime
) -> Notification | None:
    """Tell ``recipient`` of ``event`` once: the row and its e-mail, or None if already told."""
    kind = KINDS[event.type]
    data = event.params or {}
    due = parse_datetime(str(data.get("due") or "")) or event.at
    try:
        with transaction.atomic():
            made = Notification.objects.create(
                recipient=recipient,
                case=case,
                event=event,
                kind=kind,
                commitment_id=str(data.get("commitment") or ""),
                due_at=due,
                created_at=now,
            )
    except IntegrityError:
        return None  # already told of this event (the unique constraint)
    _email(made, language_of(recipient), now)
    return made


def on_case_events(events: list[CaseEvent]) -> None:
    """The route's step: each ``timer.warning`` / ``timer.breached`` told to its recipients."""
    for event in events:
        if event.type not in KINDS:
            continue
        case = Case.objects.select_related(
            "assignee", "assignee__team__lead", "team__lead", "office"
        ).get(pk=event.case_id)
        data = event.params or {}
        now = parse_datetime(str(data.get("detected_at") or "")) or event.at
        for person in recipients(case):
            notification_write(recipient=person, case=case, event=event, now=now)


# --- the desk's questions and the one change an employee makes ----------------------------------


def _visible_case_ids(employee: Employee, case_ids: Iterable[int]) -> set[int]:
    """Those of ``case_ids`` the employee may see now: one query over the few cases named (the
    rule of ``cases/access.py``), never a join against every case the employee may see."""
    wanted = set(case_ids)
    if not wanted:
        return set()
    return set(
        cases_visible_to(employee, Case.objects.filter(pk__in=wanted)).values_list("pk", flat=True)
    )


def notifications_for(employee: Employee, *, limit: int = 100) -> list[Notification]:
    """The employee's newest ``limit`` notifications, of cases they may still see (a case made
    confidential since, or moved away, drops out: a notification never reveals a case)."""
    rows = list(
        Notification.objects.filter(recipient=employee)
        .select_related("case")
        .order_by("-created_at", "-id")[:limit]
    )
    visible = _visible_case_ids(employee, (n.case_id for n in rows))
    return [n for n in rows if n.case_id in visible]


def unread_count(employee: Employee) -> int:
    """The header's badge: unread notifications of cases the employee may still see (two small
    queries through the ``notification_unread`` index)."""
    cases = list(
        Notification.objects.filter(recipient=employee, read_at__isnull=True).values_list(
            "case_id", flat=True
        )
    )
    visible = _visible_case_ids(employee, cases)
    return sum(1 for case_id in cases if case_id in visible)


def notifications_mark_read(
    *, employee: Employee, ids: Iterable[int] | None = None, now: datetime | None = None
) -> int:
    """Mark the employee's unread notifications ``ids`` (None: all) read; returns how many.
    Another employee's notifications are never touched."""
    rows = Notification.objects.filter(recipient=employee, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=now or timezone.now())
