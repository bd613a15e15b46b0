"""The phone in the desk: the screen pop, a call's page with its note, callbacks, measures, and the
team lead's call sampling.  Every write calls a service of ``services.py``.

The pop is fetched by polling (htmx, every 500 ms, answering 204 when nothing changed): one indexed
query per poll, no long-lived connection per open desk; the measured ringing-to-shown time is in
docs/phone.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charterdesk.cases.access import cases_visible_to
from charterdesk.cases.errors import CaseError
from charterdesk.cases.models import Case
from charterdesk.cases.status import Status
from charterdesk.channels.phone.measures import measure_day
from charterdesk.channels.phone.models import Call, Callback, CallSample
from charterdesk.channels.phone.notes import (
    Outcome,
    call_note_write,
    call_sample_record,
    callback_make,
)
from charterdesk.channels.phone.selectors import (
    call_figures,
    calls_for_day,
    leg_rings,
    pop_for,
    ring_rule,
)
from charterdesk.channels.phone.services import callback_latest
from charterdesk.directory.models import Employee, Institution
from charterdesk.security.staff import employee_required


def greeting(employee: Employee, language: str) -> str:
    """What the employee says on answering [PHONE-IDENTIFY]: the institution and their name, in
    the caller's language."""
    institution = Institution.objects.first()
    name = institution.short_name if institution else ""
    with translation.override(language):
        return _("Good day! %(institution)s, %(name)s speaking.") % {
            "institution": name,
            "name": employee.full_name,
        }


def _day(request: HttpRequest) -> datetime:
    raw = request.GET.get("day", "")
    today = timezone.localtime()
    try:
        picked = datetime.strptime(raw, "%Y-%m-%d")  # noqa: DTZ007 - made aware next line
        return timezone.make_aware(picked)
    except ValueError:
        return today


@employee_required
def pop(request: HttpRequest) -> HttpResponse:
    """The screen pop for the signed-in employee's extension (polled)."""
    employee: Employee = request.employee  # type: ignore[attr-defined]
    found = pop_for(employee)
    state = found.state_key if found else "none"
    if request.GET.get("have") == state:
        return HttpResponse(status=204)
    context: dict[str, Any] = {"pop": found, "state": state}
    if found is not None:
        client = found.call.client
        context["greeting"] = greeting(employee, client.language if client else "lv")
        context["figures"] = call_figures(found.call)
    return render(request, "phone/pop.html", context)


class CallNoteForm(forms.Form):
    case = forms.ChoiceField(label=gettext_lazy("Case"), widget=forms.RadioSelect)
    subject = forms.CharField(
        label=gettext_lazy("Subject of the new case"), max_length=300, required=False
    )
    body = forms.CharField(
        label=gettext_lazy("Call note"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("What the caller asked and what you answered."),
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        widget=forms.RadioSelect,
        choices=[
            (Outcome.ANSWERED, gettext_lazy("Answered on the call")),
            (Outcome.CALLBACK, gettext_lazy("Callback promised")),
        ],
    )
    callback_by = forms.DateTimeField(
        label=gettext_lazy("Call back by"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, cases: list[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(c.pk), f"{c.reference} · {c.subject}") for c in cases]
        choices.append(("new", _("A new case")))
        self.fields["case"].choices = choices  # type: ignore[attr-defined]
        self.cases = {str(c.pk): c for c in cases}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == Outcome.CALLBACK and not data.get("callback_by"):
            self.add_error("callback_by", _("Give the moment by which you will call back."))
        return data


def _open_cases(call: Call, employee: Employee) -> list[Case]:
    """The caller's open cases the employee may see [CONFIDENTIALITY]."""
    if call.client_id is None:
        return []
    return list(
        cases_visible_to(
            employee,
            Case.objects.filter(
                client_id=call.client_id, status__in=[Status.NEW, Status.OPEN, Status.WAITING]
            ),
        ).order_by("-created_at")[:20]
    )


@employee_required
def call_page(request: HttpRequest, pk: int) -> HttpResponse:
    employee: Employee = request.employee  # type: ignore[attr-defined]
    call = get_object_or_404(
        Call.objects.select_related("client", "line", "answered_by", "case", "callback_case"), pk=pk
    )
    cases = _open_cases(call, employee)
    latest = callback_latest()
    initial = {
        "case": str(cases[0].pk) if cases else "new",
        "callback_by": timezone.localtime(latest).replace(second=0, microsecond=0),
    }
    form = CallNoteForm(request.POST or None, cases=cases, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = call_note_write(
                    call=call,
                    by=employee,
                    body=data["body"],
                    outcome=data["outcome"],
                    case=form.cases.get(data["case"]),
                    subject=data["subject"],
                    callback_by=data.get("callback_by"),
                )
            except CaseError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                messages.success(
                    request,
                    _("The call note is on case %(ref)s.") % {"ref": case.reference},
                )
                return redirect("case", pk=case.pk)
        else:
            status = 400
    rule = ring_rule()
    legs = [(leg, *leg_rings(leg, rule)) for leg in call.legs.select_related("employee")]
    client = call.client
    context = {
        "call": call,
        "figures": call_figures(call, rule),
        "legs": legs,
        "cases": cases,
        "form": form,
        "greeting": greeting(employee, client.language if client else "lv"),
        "latest": latest,
        "nav": "phone",
    }
    return render(request, "phone/call.html", context, status=status)


@employee_required
def calls(request: HttpRequest) -> HttpResponse:
    day = _day(request)
    rule = ring_rule()
    rows = [(c, call_figures(c, rule)) for c in calls_for_day(day)[:500]]
    return render(
        request,
        "phone/calls.html",
        {"rows": rows, "day": day, "nav": "phone", "threshold": rule.threshold},
    )


class CallbackForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What you told the client"), widget=forms.Textarea(attrs={"rows": 3})
    )


@employee_required
def callbacks(request: HttpRequest) -> HttpResponse:
    employee: Employee = request.employee  # type: ignore[attr-defined]
    status = 200
    errors: dict[int, CallbackForm] = {}
    if request.method == "POST":
        callback = get_object_or_404(Callback, pk=request.POST.get("callback"))
        form = CallbackForm(request.POST, prefix=f"cb{callback.pk}")
        if form.is_valid():
            try:
                callback_make(callback=callback, by=employee, note=form.cleaned_data["note"])
            except CaseError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Callback on case %(ref)s recorded.") % {"ref": callback.case.reference},
                )
                return redirect("phone:callbacks")
        errors[callback.pk] = form
        status = 400
    owed = list(
        Callback.objects.filter(made_at__isnull=True)
        .select_related("case", "case__client", "call")
        .order_by("due_at")[:200]
    )
    rows = [(cb, errors.get(cb.pk) or CallbackForm(prefix=f"cb{cb.pk}")) for cb in owed]
    return render(
        request,
        "phone/callbacks.html",
        {"rows": rows, "now": timezone.now(), "nav": "phone"},
        status=status,
    )


@employee_required
def measures(request: HttpRequest) -> HttpResponse:
    day = _day(request)
    m = measure_day(day)
    return render(
        request, "phone/measures.html", {"day": day, "m": m, "m_total": [m.total], "nav": "phone"}
    )


class SampleForm(forms.Form):
    greeting_given = forms.TypedChoiceField(
        label=gettext_lazy("The employee named the institution and themselves"),
        choices=[("1", gettext_lazy("yes")), ("0", gettext_lazy("no"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    answer_complete = forms.TypedChoiceField(
        label=gettext_lazy("The answer was complete"),
        choices=[("1", gettext_lazy("yes")), ("0", gettext_lazy("no"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


@employee_required
def sampling(request: HttpRequest) -> HttpResponse:
    """A team lead listens to answered calls and records the greeting check [PHONE-IDENTIFY]."""
    employee: Employee = request.employee  # type: ignore[attr-defined]
    status = 200
    failed: dict[int, SampleForm] = {}
    if request.method == "POST":
        call = get_object_or_404(Call, pk=request.POST.get("call"))
        form = SampleForm(request.POST, prefix=f"s{call.pk}")
        if form.is_valid():
            try:
                call_sample_record(call=call, by=employee, **form.cleaned_data)
            except CaseError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The check of the call is recorded."))
                return redirect("phone:sampling")
        failed[call.pk] = form
        status = 400
    candidates = list(
        Call.objects.filter(answered_at__isnull=False, sample__isnull=True)
        .select_related("answered_by", "client")
        .order_by("?")[:5]
    )
    rows = [(c, failed.get(c.pk) or SampleForm(prefix=f"s{c.pk}")) for c in candidates]
    done = CallSample.objects.select_related("call", "call__answered_by", "by").order_by("-at")[:20]
    return render(
        request,
        "phone/sampling.html",
        {"rows": rows, "done": done, "nav": "phone"},
        status=status,
    )
