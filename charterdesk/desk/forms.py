"""The desk's forms: one form per case action (the inbox filters: ``inbox_forms.py``).

Every action form carries the case version the page was rendered with (optimistic locking) and
the last event the user saw, so a change made meanwhile is refused and shown, never overwritten.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from charterdesk.cases.delivery import Delivery, default_delivery, delivery_options
from charterdesk.cases.models import Case
from charterdesk.cases.services.outcomes import MIN_REASON_LENGTH
from charterdesk.directory.models import Employee, ExternalInstitution

if TYPE_CHECKING:
    from charterdesk.calendar.business import BusinessCalendar


def employee_competences(employee: Employee) -> list[int]:
    cached = getattr(employee, "_desk_competences", None)
    if cached is None:
        cached = list(employee.competences.values_list("pk", flat=True))
        employee._desk_competences = cached  # type: ignore[attr-defined]
    return cached


# --- case actions -----------------------------------------------------------------------------


class ActionForm(forms.Form):
    """Base of every case action: the case version and the last event the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    seen_event = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(self, *args: Any, case: Case, employee: Employee, **kwargs: Any) -> None:
        self.case = case
        self.employee = employee
        super().__init__(*args, **kwargs)


class ToClientForm(ActionForm):
    """An action that tells the client something: it asks how the answer reaches them
    (``charterdesk.cases.delivery``), offering only the ways the client's details allow."""

    # Not required: left out (an old page, a script), the answer goes the way the client came,
    # as the case service decides.
    delivery = forms.ChoiceField(
        label=_("How it reaches the client"), widget=forms.RadioSelect, choices=(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delivery"] = self.fields.pop("delivery")  # shown last, next to the button
        options = delivery_options(self.case)
        field = self.fields["delivery"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(d.value, d.label) for d in options]
        field.initial = default_delivery(self.case).value
        field.error_messages["invalid_choice"] = _(
            "The answer cannot go that way: the client's details do not allow it."
        )

    def clean_delivery(self) -> str | None:
        return self.cleaned_data.get("delivery") or None

    def chosen_delivery(self) -> Delivery:
        """The way chosen in the form, or the default one when the form was not filled in."""
        if self.is_bound:
            raw = self.data.get(self.add_prefix("delivery"))
        else:
            raw = self.initial.get("delivery")
        try:
            way = Delivery(raw or self.fields["delivery"].initial)
        except ValueError:
            way = default_delivery(self.case)
        return way if way in delivery_options(self.case) else default_delivery(self.case)


class _EmployeeChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        team = f" — {obj.team.name}" if obj.team_id else ""
        return f"{obj.full_name}{team}"


class AssignForm(ActionForm):
    to = _EmployeeChoice(label=_("Employee"), queryset=Employee.objects.none())

    def __init__(self, *args: Any, candidates: list[Employee], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, forms.ModelChoiceField)
        competent = [e for e in candidates if getattr(e, "competent", True)]
        field.queryset = Employee.objects.filter(pk__in=[e.pk for e in candidates])
        field.choices = [("", "—")] + [(e.pk, field.label_from_instance(e)) for e in competent]
        self._competent = {e.pk for e in competent}

    def clean_to(self) -> Employee:
        to: Employee = self.cleaned_data["to"]
        if to.pk not in self._competent and self.case.programme is not None:
            # [COMPETENCE-LIMIT]: only the competent are offered for assignment.
            raise forms.ValidationError(
                _(
                    "%(name)s does not hold the competence for %(programme)s; "
                    "transfer the case with a note instead."
                ),
                params={"name": to.full_name, "programme": self.case.programme.name},
            )
        return to


class TransferForm(ActionForm):
    to = _EmployeeChoice(label=_("Colleague"), queryset=Employee.objects.none())
    note = forms.CharField(
        label=_("Note for the colleague"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={
            "required": _("Write a note for the colleague: what is asked and what is done.")
        },
    )

    def __init__(self, *args: Any, candidates: list[Employee], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, forms.ModelChoiceField)
        others = [e for e in candidates if e.pk != self.case.assignee_id]
        field.queryset = Employee.objects.filter(pk__in=[e.pk for e in others])
        competent = [(e.pk, field.label_from_instance(e)) for e in others if e.competent]  # type: ignore[attr-defined]
        rest = [(e.pk, field.label_from_instance(e)) for e in others if not e.competent]  # type: ignore[attr-defined]
        programme = self.case.programme
        choices: list[Any] = [("", "—")]
        if programme is not None:
            if competent:
                choices.append(
                    (_("Competent for %(programme)s") % {"programme": programme.name}, competent)
                )
            if rest:
                choices.append((_("Other colleagues"), rest))
        else:
            choices.extend(competent + rest)
        field.choices = choices


def referral_message(case: Case, institution: ExternalInstitution) -> str:
    """The message to the client, in the client's language, with the institution's contacts
    [ROUTE-EXTERNAL]."""
    with override(case.language or "lv"):
        contacts = []
        if institution.phone:
            from charterdesk.core.validators import format_phone

            contacts.append(str(_("phone %(phone)s")) % {"phone": format_phone(institution.phone)})
        if institution.email:
            contacts.append(str(_("e-mail %(email)s")) % {"email": institution.email})
        if institution.website:
            contacts.append(institution.website)
        if institution.address:
            contacts.append(institution.address)
        return str(
            _(
                "Good day!\n\nYour question is outside our competence. The competent institution is "
                "%(institution)s. Please contact them: %(contacts)s.\n\nThank you for your understanding."
            )
        ) % {"institution": institution.name, "contacts": "; ".join(contacts)}


class ReferForm(ToClientForm):
    institution = forms.ModelChoiceField(
        label=_("Competent institution"), queryset=ExternalInstitution.objects.none()
    )
    message_to_client = forms.CharField(
        label=_("Message to the client"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args: Any, register: list[ExternalInstitution], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["institution"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = ExternalInstitution.objects.filter(pk__in=[i.pk for i in register])
        field.choices = [("", "—")] + [(i.pk, i.name) for i in register]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        institution: ExternalInstitution | None = data.get("institution")
        message = (data.get("message_to_client") or "").strip()
        if institution is None:
            return data
        if not message:
            self.add_error(
                "message_to_client",
                _("Tell the client where to turn: the message to the client is required."),
            )
            return data
        contacts = [c for c in (institution.phone, institution.email, institution.website) if c]
        national = institution.phone[4:] if institution.phone.startswith("+371") else ""
        squashed = message.replace(" ", "")
        if contacts and not any(c in squashed for c in [*contacts, national] if c):
            self.add_error(
                "message_to_client",
                _(
                    "The message must give the client %(institution)s's contacts (phone, e-mail or website)."
                )
                % {"institution": institution.name},
            )
        return data


class DeclineForm(ToClientForm):
    reasons = forms.CharField(
        label=_("Justified reasons for the client"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=5000,
    )

    def clean_reasons(self) -> str:
        text = (self.cleaned_data.get("reasons") or "").strip()
        if len(text) < MIN_REASON_LENGTH:
            # [DECLINE-REASONS]: a decline without reasons cannot be saved.
            raise forms.ValidationError(
                _(
                    "A decline needs the justified reasons for the client (at least %(n)s characters). "
                    "Nothing was declined."
                ),
                params={"n": MIN_REASON_LENGTH},
            )
        return text


def default_promise_time(now: datetime, calendar: BusinessCalendar) -> datetime:
    """Two days ahead at 12:00 local time, moved to the next working day of ``calendar`` (the
    case office's: weekends, public holidays and the office's days off): a starting point to
    edit."""
    day = timezone.localtime(now).date() + timedelta(days=2)
    while not calendar.day(day).working:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def promise_message(case: Case, due: datetime) -> str:
    with override(case.language or "lv"):
        english = (case.language or "lv").startswith("en")
        date = timezone.localtime(due).strftime(
            "%-d %b %Y at %H:%M" if english else "%d.%m.%Y plkst. %H:%M"
        )
        return str(
            _(
                "Good day!\n\nWe are preparing the answer to your question and will send it by %(date)s."
            )
        ) % {"date": date}


class PromiseForm(ToClientForm):
    due = forms.DateTimeField(
        label=_("Answer promised by"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"invalid": _("Enter the date and time as 25.11.2026 14:05.")},
    )
    message = forms.CharField(
        label=_("Message to the client"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )

    def clean_due(self) -> datetime:
        due: datetime = self.cleaned_data["due"]
        if due <= timezone.now():
            raise forms.ValidationError(_("The promised time must be in the future."))
        return due

    # That the message states the date is the service's rule (case_promise), not the form's.


class MistakeForm(ToClientForm):
    description = forms.CharField(
        label=_("What went wrong (internal)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    apology = forms.CharField(
        label=_("Apology to the client"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    correction = forms.CharField(
        label=_("How we put it right (for the client)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )


class ResolveForm(ActionForm):
    summary = forms.CharField(
        label=_("Summary (internal)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )


class CloseForm(ActionForm):
    pass


class ReopenForm(ActionForm):
    reason = forms.CharField(label=_("Why reopen"), max_length=500)


class _EmployeesChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        team = f" — {obj.team.name}" if obj.team_id else ""
        return f"{obj.full_name}{team}"


class ConfidentialForm(ActionForm):
    """[CONFIDENTIALITY] who besides the case's team may see it (cases/access.py)."""

    confidential = forms.BooleanField(
        label=_("Confidential: only the case's team and the colleagues named below see it"),
        required=False,
    )
    named = _EmployeesChoice(
        label=_("Colleagues named on the case"),
        queryset=Employee.objects.none(),
        required=False,
        help_text=_("They see the case even when it is confidential."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args: Any, candidates: list[Employee], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["named"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Employee.objects.filter(pk__in=[c.pk for c in candidates])
        # Offered from the candidates already read (no query when the page is drawn).
        field.choices = [(c.pk, field.label_from_instance(c)) for c in candidates]


class NoteForm(ActionForm):
    body = forms.CharField(
        label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10000
    )


class DelayForm(ToClientForm):
    body = forms.CharField(
        label=_("Reasons for the delay, for the client"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


MAX_ATTACHMENT = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ReplyForm(ToClientForm):
    template = forms.ChoiceField(label=_("Answer template"), required=False)
    body = forms.CharField(
        label=_("Reply"),
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        max_length=50000,
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args: Any, templates: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["template"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("— no template —")), *templates]

    def clean_attachments(self) -> list[Any]:
        files = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(
                _("At most %(n)s attachments per reply."), params={"n": MAX_ATTACHMENTS}
            )
        for f in files:
            if f.size > MAX_ATTACHMENT:
                raise forms.ValidationError(
                    _("%(name)s is larger than 10 MB; send a smaller file."),
                    params={"name": f.name},
                )
        return files

    def require_body(self) -> str:
        body = (self.cleaned_data.get("body") or "").strip()
        if not body:
            self.add_error("body", _("Write the reply before sending it."))
        return body
