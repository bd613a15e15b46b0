"""Reads of the phone channel: a call's figures, the screen pop, the calls of a day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from charterdesk.cases.access import cases_visible_to
from charterdesk.cases.models import Case
from charterdesk.cases.status import Status
from charterdesk.channels.phone.models import Call, CallLeg, CallState
from charterdesk.channels.phone.rings import RingRule, seconds_between
from charterdesk.directory.models import Employee
from charterdesk.standard import get_policy

POP_WINDOW = timedelta(minutes=10)  # a call older than this no longer pops up


def ring_rule() -> RingRule:
    return RingRule.from_policy(get_policy())


def _seconds_text(seconds: float) -> str:
    whole = round(seconds)
    return ngettext("%(n)d second", "%(n)d seconds", whole) % {"n": whole}


@dataclass(frozen=True)
class CallFigures:
    """What the caller lived through, derived from the raw moments."""

    queue_seconds: float | None  # waited in the queue before any phone rang
    ring_seconds: float | None  # heard the ringing tone
    rings: int | None
    threshold: int
    within: bool | None  # answered by the threshold ring (None: not answered)

    @property
    def rings_text(self) -> str:
        if self.rings is None or self.ring_seconds is None:
            return ""
        return ngettext(
            "%(rings)d ring (%(seconds)s)", "%(rings)d rings (%(seconds)s)", self.rings
        ) % {"rings": self.rings, "seconds": _seconds_text(self.ring_seconds)}

    @property
    def queue_text(self) -> str:
        if self.queue_seconds is None or round(self.queue_seconds) < 1:
            return ""
        return _("waited in the queue %(seconds)s") % {"seconds": _seconds_text(self.queue_seconds)}


def call_figures(call: Call, rule: RingRule | None = None) -> CallFigures:
    rule = rule or ring_rule()
    start_wait = call.queued_at or call.offered_at
    queue_seconds = seconds_between(start_wait, call.first_alert_at or call.alerting_end)
    if call.first_alert_at is None:
        ring_seconds = None
    else:
        ring_seconds = seconds_between(call.first_alert_at, call.alerting_end or timezone.now())
    rings = rule.rings(ring_seconds)
    within = None
    if call.answered_at is not None:
        within = rule.within(ring_seconds if ring_seconds is not None else 0.0)
    return CallFigures(queue_seconds, ring_seconds, rings, rule.threshold, within)


def leg_rings(leg: CallLeg, rule: RingRule | None = None) -> tuple[float | None, int | None]:
    rule = rule or ring_rule()
    seconds = seconds_between(leg.alerting_at, leg.answered_at or leg.ended_at)
    return seconds, rule.rings(seconds)


# --- the screen pop ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Pop:
    call: Call
    leg: CallLeg
    ringing: bool  # False: the employee answered it and may write the note
    open_cases: list[Case]

    @property
    def state_key(self) -> str:
        return f"{self.call.pk}:{'r' if self.ringing else 'a'}:{self.call.updated_at.timestamp()}"


def pop_for(employee: Employee, *, now: datetime | None = None) -> Pop | None:
    """The call ringing at the employee's extension now, or the one they are talking on."""
    if not employee.extension:
        return None
    now = now or timezone.now()
    legs = (
        CallLeg.objects.filter(
            extension=employee.extension,
            alerting_at__gte=now - POP_WINDOW,
            call__note_written_at__isnull=True,
        )
        .filter(
            Q(answered_at__isnull=True, ended_at__isnull=True, call__answered_at__isnull=True)
            & ~Q(call__state__in=[CallState.ABANDONED, CallState.MISSED, CallState.VOICEMAIL])
            | Q(answered_at__isnull=False)
        )
        .select_related("call", "call__client", "call__line")
        .order_by("-alerting_at")
    )
    leg = legs.first()
    if leg is None:
        return None
    call = leg.call
    cases: list[Case] = []
    if call.client_id is not None:
        cases = list(
            cases_visible_to(
                employee,
                Case.objects.filter(
                    client_id=call.client_id, status__in=[Status.NEW, Status.OPEN, Status.WAITING]
                ),
            ).order_by("-created_at")[:10]
        )
    return Pop(call=call, leg=leg, ringing=leg.answered_at is None, open_cases=cases)


def calls_for_day(day: datetime) -> QuerySet[Call]:
    start = day.replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        Call.objects.filter(offered_at__gte=start, offered_at__lt=start + timedelta(days=1))
        .select_related("client", "answered_by", "line", "case", "callback_case")
        .order_by("-offered_at")
    )
