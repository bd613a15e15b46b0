"""Pages: booking (an employee, from a case or on the phone), an appointment, the office's day view,
(the client's signed link pages: ``link_views.py``).  Every page is plain HTML forms: all of it works without
JavaScript; each form calls one service."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from charterdesk.appointments import daysheet, measures
from charterdesk.appointments.day import office_day
from charterdesk.appointments.errors import AppointmentError, SlotTaken
from charterdesk.appointments.forms import (
    BookingForm,
    CancelForm,
    LateForm,
    MoveForm,
    NoteForm,
    SearchForm,
    WalkInForm,
    parse_slot,
    slot_choices,
)
from charterdesk.appointments.models import Appointment, AppointmentStatus, BookedVia
from charterdesk.appointments.selectors import TZ, free_slots
from charterdesk.appointments.services import (
    VisitStep,
    appointment_add_note,
    appointment_book,
    appointment_cancel,
    appointment_late_notice,
    appointment_move,
    appointment_step,
    appointment_walk_in,
)
from charterdesk.appointments.slots import Slot
from charterdesk.cases.access import case_for_user_or_404, require_see
from charterdesk.cases.models import Case
from charterdesk.clients.models import Client
from charterdesk.clients.services import client_create
from charterdesk.desk.views.common import employee_required
from charterdesk.directory.models import Employee, Office, Programme

SLOTS_SHOWN = 10


def _language() -> str:
    return "en" if (get_language() or "lv").startswith("en") else "lv"


def _choices(slots: list[Slot]) -> list[tuple[str, str]]:
    offices = {o.pk: o for o in Office.objects.filter(pk__in={s.office_id for s in slots})}
    people = {e.pk: e for e in Employee.objects.filter(pk__in={s.consultant_id for s in slots})}
    return slot_choices(slots, offices, people, _language())


def _start_of(day: date | None, now: datetime) -> datetime:
    if day is None:
        return now
    return max(now, datetime.combine(day, time(0), tzinfo=TZ))


def _find_client(name: str, phone: str, email: str, language: str) -> Client:
    found = None
    if email.strip():
        found = Client.objects.filter(email__iexact=email.strip()).first()
    if found is None and phone.strip():
        from charterdesk.core.validators import normalise_phone

        try:
            found = Client.objects.filter(phone=normalise_phone(phone)).first()
        except ValidationError:
            found = None
    if found is not None:
        return found
    return client_create(
        name=name.strip(), email=email.strip(), phone=phone.strip(), language=language
    )


@employee_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest) -> HttpResponse:
    """Book for a client: from a case (``?case=``) or on the phone (the client's name and contact)."""
    employee: Employee = request.employee  # type: ignore[attr-defined]
    case = None
    case_id = request.GET.get("case") or request.POST.get("case")
    if case_id:
        if not str(case_id).isdigit():
            raise Http404("no such case")
        case = case_for_user_or_404(
            request.user, int(case_id), Case.objects.select_related("client", "programme")
        )
    initial: dict[str, Any] = {}
    if case is not None and case.programme_id:
        initial["programme"] = case.programme_id
    search = SearchForm(request.GET if "programme" in request.GET else None, initial=initial)
    programme: Programme | None = None
    office: Office | None = None
    day: date | None = None
    if search.is_bound and search.is_valid():
        programme = search.cleaned_data["programme"]
        office = search.cleaned_data["office"]
        day = search.cleaned_data["day"]
    elif case is not None and case.programme is not None and not search.is_bound:
        programme = case.programme
    now = timezone.now()
    slots: list[Slot] = []
    if programme is not None:
        slots = free_slots(
            programme,
            offices=[office] if office else None,
            after=_start_of(day, now),
            now=now,
            limit=SLOTS_SHOWN,
        )
    client = case.client if case is not None else None
    booking_initial = {
        "topic": case.subject if case else "",
        "special_needs": client.special_needs if client else "",
        "needs_identity_document": programme.needs_identity_document if programme else False,
        "contact_phone": client.phone if client else "",
        "contact_email": client.email if client else "",
        "language": (client.language if client else _language()),
    }
    taken = False
    status = 200
    form = BookingForm(
        request.POST or None,
        initial=booking_initial,
        choices=_choices(slots),
        needs_client=case is None,
    )
    if request.method == "POST" and programme is not None and form.is_valid():
        office_id, consultant_id, starts_at = parse_slot(form.cleaned_data["slot"])
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if case is None:
                    client = _find_client(
                        data["client_name"],
                        data["contact_phone"],
                        data["contact_email"],
                        data["language"],
                    )
                appointment = appointment_book(
                    programme=programme,
                    office=get_object_or_404(Office, pk=office_id),
                    consultant=get_object_or_404(Employee, pk=consultant_id),
                    starts_at=starts_at,
                    via=BookedVia.DESK if case is not None else BookedVia.PHONE,
                    topic=data["topic"],
                    by=employee,
                    case=case,
                    client=client if case is None else None,
                    special_needs=data["special_needs"],
                    help_wanted=data["help_wanted"],
                    needs_identity_document=data["needs_identity_document"],
                    contact_phone=data["contact_phone"],
                    contact_email=data["contact_email"],
                    language=data["language"],
                )
        except SlotTaken as exc:
            taken = True
            status = 409
            form.add_error(None, str(exc))
            slots = exc.next_slots
            form.fields["slot"].choices = _choices(slots)  # type: ignore[attr-defined]
        except (AppointmentError, ValidationError) as exc:
            status = 400
            form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _booked_message(appointment))
            return redirect("appointment", pk=appointment.pk)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "appointments/book.html",
        {
            "nav": "appointments",
            "case": case,
            "search": search,
            "programme": programme,
            "form": form,
            "slots": slots,
            "taken": taken,
            "query": request.GET.urlencode(),
        },
        status=status,
    )


def _booked_message(appointment: Appointment) -> str:
    if appointment.case.client.email:
        return _("Booked. The invitation with the calendar file is on its way to %(email)s.") % {
            "email": appointment.case.client.email
        }
    return _("Booked. The client has no e-mail address: tell them the time by phone.")


def _load(pk: int, who: Any = None) -> Appointment:
    """The appointment, if ``who`` may see its case (else 404, as if it did not exist);
    ``who=None`` is the system (the client's signed link)."""
    appointment = get_object_or_404(
        Appointment.objects.select_related(
            "case", "case__client", "office", "programme", "consultant", "booked_by"
        ),
        pk=pk,
    )
    if who is not None:
        require_see(who, appointment.case)
    return appointment


def _appointment_context(appointment: Appointment, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    slots: list[Slot] = []
    if appointment.status == AppointmentStatus.BOOKED and appointment.consultant_id:
        slots = free_slots(
            appointment.programme,
            offices=[appointment.office],
            now=now,
            limit=SLOTS_SHOWN,
            exclude_appointment=appointment.pk,
        )
    context: dict[str, Any] = {
        "nav": "appointments",
        "a": appointment,
        "move_form": MoveForm(),
        "cancel_form": CancelForm(),
        "late_form": LateForm(),
        "note_form": NoteForm(),
    }
    context["move_form"].fields["slot"].choices = _choices(slots)
    context.update(extra)
    return context


@employee_required
def appointment_page(request: HttpRequest, pk: int) -> HttpResponse:
    return render(
        request, "appointments/appointment.html", _appointment_context(_load(pk, request.user))
    )


@employee_required
@require_POST
def appointment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Move, cancel, late notice by phone, or a note, by an employee."""
    employee: Employee = request.employee  # type: ignore[attr-defined]
    appointment = _load(pk, request.user)
    form: Any
    try:
        if action == "move":
            form = MoveForm(request.POST)
            form.fields["slot"].choices = [(request.POST.get("slot", ""), "")]
            if not form.is_valid():
                raise AppointmentError(_("Choose one of the free times."))
            office_id, consultant_id, starts_at = parse_slot(form.cleaned_data["slot"])
            appointment_move(
                appointment=appointment,
                starts_at=starts_at,
                office=get_object_or_404(Office, pk=office_id),
                consultant=get_object_or_404(Employee, pk=consultant_id),
                via="desk",
                by=employee,
            )
            messages.success(
                request, _("Moved. The client gets the new time with the calendar file.")
            )
        elif action == "cancel":
            form = CancelForm(request.POST)
            form.is_valid()
            appointment_cancel(
                appointment=appointment,
                via="desk",
                reason=form.cleaned_data.get("reason", ""),
                by=employee,
            )
            messages.success(request, _("Cancelled. The time is free again."))
        elif action == "late":
            form = LateForm(request.POST)
            if not form.is_valid():
                raise AppointmentError(_("Choose how late the client will be."))
            appointment_late_notice(
                appointment=appointment,
                minutes=form.cleaned_data["minutes"],
                via="phone",
                by=employee,
            )
            messages.success(request, _("The late notice is recorded."))
        elif action == "note":
            form = NoteForm(request.POST)
            if not form.is_valid():
                raise AppointmentError(_("The note is empty."))
            appointment_add_note(
                appointment=appointment, by=employee, body=form.cleaned_data["body"]
            )
            messages.success(request, _("The note is on the case."))
        else:
            raise Http404
    except SlotTaken as exc:
        context = _appointment_context(appointment, error=str(exc))
        context["move_form"].fields["slot"].choices = _choices(exc.next_slots)
        return render(request, "appointments/appointment.html", context, status=409)
    except AppointmentError as exc:
        return render(
            request,
            "appointments/appointment.html",
            _appointment_context(_load(pk, request.user), error=str(exc)),
            status=400,
        )
    return redirect("appointment", pk=pk)


# --- the office's day view ---------------------------------------------------------------------


def _default_office(employee: Employee) -> Office | None:
    return (
        employee.offices.filter(is_active=True).first()
        or Office.objects.filter(is_active=True).first()
    )


@employee_required
def day_view(request: HttpRequest) -> HttpResponse:
    employee: Employee = request.employee  # type: ignore[attr-defined]
    code = request.GET.get("office")
    office = (
        get_object_or_404(Office, code=code, is_active=True) if code else _default_office(employee)
    )
    if office is None:
        return render(request, "appointments/no_office.html", {"nav": "day"})
    try:
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = timezone.localdate()
    return render(request, "appointments/day.html", _day_context(office, day, request.user))


def _day_context(office: Office, day: date, who: Any, **extra: Any) -> dict[str, Any]:
    visits = office_day(office, day, who=who)
    context: dict[str, Any] = {
        "nav": "day",
        "office": office,
        "offices": Office.objects.filter(is_active=True),
        "day": day,
        "previous": day - timedelta(days=1),
        "next": day + timedelta(days=1),
        "visits": visits,
        "rows": daysheet.rows(visits),
        "walk_in_form": WalkInForm(),
        "steps": VisitStep,
        "summary": measures.day_summary(visits),
    }
    context.update(extra)
    return context


@employee_required
@require_POST
def visit_step(request: HttpRequest) -> HttpResponse:
    """One step of one visit, from the day view's one form (``step`` = ``<visit>:<step>``)."""
    employee: Employee = request.employee  # type: ignore[attr-defined]
    pk, _sep, step = request.POST.get("step", "").partition(":")
    if not pk.isdigit():
        raise Http404("no such visit")
    appointment = _load(int(pk), request.user)
    try:
        appointment_step(appointment=appointment, step=step, by=employee)
    except (AppointmentError, ValueError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Recorded."))
    local_day = timezone.localtime(appointment.starts_at).date()
    return redirect(
        f"{reverse('office_day')}?office={appointment.office.code}&date={local_day.isoformat()}"
        f"#visit-{appointment.pk}"
    )


@employee_required
@require_POST
def walk_in(request: HttpRequest) -> HttpResponse:
    employee: Employee = request.employee  # type: ignore[attr-defined]
    office = get_object_or_404(Office, code=request.POST.get("office", ""), is_active=True)
    form = WalkInForm(request.POST)
    today = timezone.localdate()
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                client = _find_client(
                    data["client_name"], data["contact_phone"], data["contact_email"], _language()
                )
                appointment_walk_in(
                    office=office,
                    programme=data["programme"],
                    topic=data["topic"],
                    by=employee,
                    client=client,
                    special_needs=data["special_needs"],
                    contact_phone=data["contact_phone"],
                    contact_email=data["contact_email"],
                )
        except (AppointmentError, ValidationError, IntegrityError) as exc:
            form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("The walk-in client is on the list."))
            return redirect(f"{reverse('office_day')}?office={office.code}")
    return render(
        request,
        "appointments/day.html",
        _day_context(office, today, request.user, walk_in_form=form),
        status=400,
    )


# --- the client's signed links -----------------------------------------------------------------


@employee_required
def measures_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "appointments/measures.html",
        {"nav": "measures", "m": measures.office_measures(now=timezone.now())},
    )
