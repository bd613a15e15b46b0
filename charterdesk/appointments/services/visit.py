"""The visit itself, as the office records it: arrived, late (with the client's notice), identity
checked [CLIENT-ID], started [OFFICE-TIMELY], finished, did not come; walk-ins; notes on the case."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from charterdesk.appointments.errors import AppointmentError, NotBookable
from charterdesk.appointments.models import Appointment, AppointmentStatus, BookedVia
from charterdesk.appointments.selectors import rule_for
from charterdesk.appointments.services.booking import _contact, _lock, describe, new_uid
from charterdesk.cases.models import Case, Channel, Message
from charterdesk.cases.recording import record_event
from charterdesk.cases.services import case_add_note, case_open
from charterdesk.clients.models import Client
from charterdesk.directory.models import Employee, Office, Programme
from charterdesk.standard.events import Event

LATE_CHOICES = (5, 10, 15, 20, 30, 45, 60)


class VisitStep(StrEnum):
    ARRIVED = "arrived"
    IDENTITY_CHECKED = "identity_checked"
    STARTED = "started"
    FINISHED = "finished"
    NO_SHOW = "no_show"


_EVENTS = {
    VisitStep.ARRIVED: Event.APPOINTMENT_ARRIVED,
    VisitStep.IDENTITY_CHECKED: Event.IDENTITY_CHECKED,
    VisitStep.STARTED: Event.APPOINTMENT_STARTED,
    VisitStep.FINISHED: Event.APPOINTMENT_FINISHED,
    VisitStep.NO_SHOW: Event.APPOINTMENT_NO_SHOW,
}


def _check(appointment: Appointment, step: VisitStep, now: datetime) -> None:
    a = appointment
    if a.status == AppointmentStatus.CANCELLED:
        raise AppointmentError(_("This consultation was cancelled."))
    if a.status == AppointmentStatus.NO_SHOW and step is not VisitStep.NO_SHOW:
        raise AppointmentError(_("This client was marked as not come."))
    if a.finished_at is not None:
        raise AppointmentError(_("This consultation has already finished."))
    done = {
        VisitStep.ARRIVED: a.arrived_at,
        VisitStep.IDENTITY_CHECKED: a.identity_checked_at,
        VisitStep.STARTED: a.started_at,
        VisitStep.NO_SHOW: a.no_show_at,
    }
    if done.get(step) is not None:
        raise AppointmentError(_("This step has already been recorded."))
    if step is VisitStep.NO_SHOW:
        if a.arrived_at is not None:
            raise AppointmentError(_("The client has arrived."))
        if now < a.starts_at:
            raise AppointmentError(_("The consultation's time has not come yet."))
    if step is VisitStep.STARTED and a.needs_identity_document and a.identity_checked_at is None:
        raise AppointmentError(
            _("This programme needs the client's identity document: check it before starting.")
        )
    if step is VisitStep.FINISHED and a.started_at is None:
        raise AppointmentError(_("The consultation has not started."))


@transaction.atomic
def appointment_step(
    *, appointment: Appointment, step: str, by: Employee, now: datetime | None = None
) -> Appointment:
    """Record one step of the visit; each writes its event on the case timeline."""
    now = now or timezone.now()
    step = VisitStep(step)
    locked = _lock(appointment)
    _check(locked, step, now)
    fields: list[str] = []
    if step is VisitStep.ARRIVED:
        locked.arrived_at = now
        fields.append("arrived_at")
    elif step is VisitStep.IDENTITY_CHECKED:
        locked.identity_checked_at = now
        fields.append("identity_checked_at")
    elif step is VisitStep.STARTED:
        locked.started_at = now
        # An arrival not recorded stays unknown: [OFFICE-TIMELY] then counts from the booked time.
        fields.append("started_at")
    elif step is VisitStep.FINISHED:
        locked.finished_at = now
        locked.status = AppointmentStatus.DONE
        fields += ["finished_at", "status"]
    else:
        locked.no_show_at = now
        locked.status = AppointmentStatus.NO_SHOW
        fields += ["no_show_at", "status"]
    locked.save(update_fields=fields)
    params: dict[str, Any] = {}
    if step is VisitStep.STARTED:
        params["waited_minutes"] = round(
            (now - max(locked.starts_at, locked.arrived_at or now)) / timedelta(minutes=1), 1
        )
        params["after_booked_minutes"] = round((now - locked.starts_at) / timedelta(minutes=1), 1)
    record_event(
        case=locked.case,
        type=_EVENTS[step],
        actor=by,
        at=now,
        channel=Channel.IN_PERSON.value,
        walk_in=locked.walk_in,
        **params,
        **describe(locked),
    )
    return locked


@transaction.atomic
def appointment_late_notice(
    *,
    appointment: Appointment,
    minutes: int,
    via: str,
    by: Employee | None = None,
    now: datetime | None = None,
) -> Appointment:
    """The client warns of being late by ``minutes`` [CLIENT-LATE-NOTICE] (a link, or by phone)."""
    now = now or timezone.now()
    if minutes not in LATE_CHOICES:
        raise AppointmentError(
            _("Choose how late: %(choices)s minutes.")
            % {"choices": ", ".join(str(c) for c in LATE_CHOICES)}
        )
    locked = _lock(appointment)
    if locked.status != AppointmentStatus.BOOKED or locked.started_at is not None:
        raise AppointmentError(_("This consultation is no longer waiting for the client."))
    locked.late_minutes = minutes
    locked.late_notice_at = now
    locked.save(update_fields=["late_minutes", "late_notice_at"])
    record_event(
        case=locked.case,
        type=Event.CLIENT_LATE_NOTICE,
        actor=by,
        at=now,
        channel=Channel.IN_PERSON.value,
        minutes=minutes,
        via=via,
        in_advance=now < locked.starts_at,
        **describe(locked),
    )
    return locked


@transaction.atomic
def appointment_walk_in(
    *,
    office: Office,
    programme: Programme,
    topic: str,
    by: Employee,
    case: Case | None = None,
    client: Client | None = None,
    special_needs: str = "",
    help_wanted: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    now: datetime | None = None,
) -> Appointment:
    """A client who came without booking: recorded as arrived now, on a case (a new in-person
    case if none is given); the waiting time runs until the consultation is started."""
    now = now or timezone.now()
    topic = (topic or "").strip()
    if not topic:
        raise NotBookable(_("Say what the consultation is about (the topic)."))
    if case is None and client is None:
        raise AppointmentError("appointment_walk_in needs a case or a client")
    phone, email = _contact(contact_phone, contact_email)
    if case is None:
        assert client is not None
        case = case_open(
            client=client,
            channel=Channel.IN_PERSON,
            subject=topic,
            programme=programme,
            office=office,
            by=by,
            at=now,
        )
    length = rule_for(programme).length
    appointment = Appointment.objects.create(
        case=case,
        programme=programme,
        office=office,
        consultant=None,
        starts_at=now,
        ends_at=now + length,
        blocked_from=now,
        blocked_until=now + length,
        status=AppointmentStatus.BOOKED,
        booked_via=BookedVia.WALK_IN,
        booked_by=by,
        topic=topic[:300],
        help_wanted=help_wanted.strip(),
        special_needs=(special_needs or case.client.special_needs or "").strip(),
        needs_identity_document=programme.needs_identity_document,
        contact_phone=phone,
        contact_email=email,
        language=case.language,
        uid=new_uid(),
        created_at=now,
        arrived_at=now,
    )
    record_event(
        case=case,
        type=Event.APPOINTMENT_WALK_IN,
        actor=by,
        at=now,
        channel=Channel.IN_PERSON.value,
        special_needs=bool(appointment.special_needs),
        **describe(appointment),
    )
    return appointment


def appointment_add_note(*, appointment: Appointment, by: Employee, body: str) -> Message:
    """A note of the visit: it lands on the case as an internal note."""
    text = (body or "").strip()
    if not text:
        raise AppointmentError(_("The note is empty."))
    return case_add_note(case=appointment.case, by=by, body=text)
