"""The client's pages behind a signed link (move, cancel, "I will be late"): no sign-in, the
token alone says which appointment and what it may do (``links.py``)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from charterdesk.appointments import links
from charterdesk.appointments.errors import AppointmentError, SlotTaken
from charterdesk.appointments.forms import (
    LateForm,
    MoveForm,
    parse_slot,
)
from charterdesk.appointments.selectors import free_slots
from charterdesk.appointments.services import (
    appointment_cancel,
    appointment_late_notice,
    appointment_move,
)
from charterdesk.appointments.slots import Slot
from charterdesk.appointments.views import SLOTS_SHOWN, _choices
from charterdesk.directory.models import Employee, Office


@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    """A client's move / cancel / late link: GET shows what it will do, POST does it, once."""
    try:
        found = links.read(token)
    except links.LinkRefused as refused:
        status = 400 if refused.problem is links.LinkProblem.FORGED else 410
        return render(
            request,
            "appointments/link_refused.html",
            {"problem": refused.problem.value, "a": refused.appointment},
            status=status,
        )
    a = found.appointment
    now = timezone.now()
    slots: list[Slot] = []
    if found.purpose is links.Purpose.MOVE and a.consultant_id:
        slots = free_slots(
            a.programme, offices=[a.office], now=now, limit=SLOTS_SHOWN, exclude_appointment=a.pk
        )
    move_form = MoveForm(request.POST or None)
    move_form.fields["slot"].choices = _choices(slots)  # type: ignore[attr-defined]
    late_form = LateForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            with transaction.atomic():
                links.spend(found, now)
                if found.purpose is links.Purpose.CANCEL:
                    appointment_cancel(
                        appointment=a, via="link", reason=_("cancelled by the client")
                    )
                elif found.purpose is links.Purpose.LATE:
                    if not late_form.is_valid():
                        raise AppointmentError(_("Choose how late you will be."))
                    appointment_late_notice(
                        appointment=a, minutes=late_form.cleaned_data["minutes"], via="link"
                    )
                else:
                    if not move_form.is_valid():
                        raise AppointmentError(_("Choose one of the free times."))
                    office_id, consultant_id, starts_at = parse_slot(move_form.cleaned_data["slot"])
                    appointment_move(
                        appointment=a,
                        starts_at=starts_at,
                        office=get_object_or_404(Office, pk=office_id),
                        consultant=get_object_or_404(Employee, pk=consultant_id),
                        via="link",
                    )
        except IntegrityError:
            return render(
                request, "appointments/link_refused.html", {"problem": "used", "a": a}, status=410
            )
        except SlotTaken as exc:
            error = str(exc)
            status = 409
            move_form = MoveForm()
            move_form.fields["slot"].choices = _choices(exc.next_slots)  # type: ignore[attr-defined]
        except AppointmentError as exc:
            error = str(exc)
            status = 400
        else:
            a.refresh_from_db()
            return render(
                request,
                "appointments/link_done.html",
                {"purpose": found.purpose.value, "a": a},
            )
    return render(
        request,
        "appointments/link.html",
        {
            "purpose": found.purpose.value,
            "a": a,
            "move_form": move_form,
            "late_form": late_form,
            "error": error,
            "token": token,
        },
        status=status,
    )
