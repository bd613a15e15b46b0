"""Forms of the booking page, the day view and the client's link pages (all plain HTML)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from charterdesk.appointments.formatting import short_time
from charterdesk.appointments.services.visit import LATE_CHOICES
from charterdesk.appointments.slots import Slot
from charterdesk.clients.models import Language
from charterdesk.directory.models import Employee, Office, Programme


def slot_value(slot: Slot) -> str:
    return f"{slot.office_id}|{slot.consultant_id}|{slot.starts_at.isoformat()}"


def parse_slot(value: str) -> tuple[int, int, datetime]:
    office, consultant, start = value.split("|", 2)
    moment = datetime.fromisoformat(start)
    if moment.tzinfo is None:
        raise ValueError("naive")
    return int(office), int(consultant), moment


def slot_choices(
    slots: Sequence[Slot], offices: dict[int, Office], people: dict[int, Employee], language: str
) -> list[tuple[str, str]]:
    return [
        (
            slot_value(s),
            f"{short_time(s.starts_at, language)} · {offices[s.office_id].name} · "
            f"{people[s.consultant_id].full_name}",
        )
        for s in slots
        if s.office_id in offices and s.consultant_id in people
    ]


class SearchForm(forms.Form):
    """Which programme, at which office (any office [OFFICE-ANY]), from which day."""

    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.filter(is_active=True)
    )
    office = forms.ModelChoiceField(
        label=_("Office"),
        queryset=Office.objects.filter(is_active=True),
        required=False,
        empty_label=_("any office"),
    )
    day = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class SlotField(forms.ChoiceField):
    widget = forms.RadioSelect

    def validate(self, value: Any) -> None:
        super().validate(value)
        try:
            parse_slot(value)
        except (ValueError, TypeError):
            raise forms.ValidationError(
                _("Choose one of the free times."), code="invalid"
            ) from None


class BookingForm(forms.Form):
    slot = SlotField(label=_("Free times"))
    topic = forms.CharField(label=_("Topic"), max_length=300)
    help_wanted = forms.CharField(
        label=_("Help wanted"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    special_needs = forms.CharField(
        label=_("Special needs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("[CLIENT-SPECIAL-NEEDS] e.g. a wheelchair, a sign-language interpreter."),
    )
    needs_identity_document = forms.BooleanField(
        label=_("Identity document needed"), required=False
    )
    contact_phone = forms.CharField(label=_("Contact phone"), required=False, max_length=30)
    contact_email = forms.CharField(label=_("Contact e-mail"), required=False, max_length=254)
    # Only when booking without a case (on the phone): the client.
    client_name = forms.CharField(label=_("Client's name"), required=False, max_length=200)
    language = forms.ChoiceField(label=_("Client's language"), choices=Language.choices)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], needs_client: bool, **kw: Any):
        super().__init__(*args, **kw)
        slot_field = self.fields["slot"]
        assert isinstance(slot_field, forms.ChoiceField)
        slot_field.choices = choices
        self.needs_client = needs_client
        if not needs_client:
            del self.fields["client_name"]
        else:
            self.fields["client_name"].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not (data.get("contact_phone") or "").strip()
            and not (data.get("contact_email") or "").strip()
        ):
            raise forms.ValidationError(_("Give a phone number or an e-mail address."))
        return data


class MoveForm(forms.Form):
    slot = SlotField(label=_("New time"))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class LateForm(forms.Form):
    minutes = forms.TypedChoiceField(
        label=_("Late by"),
        coerce=int,
        choices=[(m, _("%(n)s minutes") % {"n": m}) for m in LATE_CHOICES],
    )


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class _ListedChoices(forms.models.ModelChoiceIterator):
    """The choices of a short list read in one query: ``ModelChoiceIterator`` reads through
    ``iterator()``, which on PostgreSQL is a server-side cursor — DECLARE, FETCH and CLOSE, three
    round trips to a busy server for a handful of programmes."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in list(self.queryset):
            yield self.choice(obj)


class WalkInForm(forms.Form):
    client_name = forms.CharField(label=_("Client's name"), max_length=200)
    contact_phone = forms.CharField(label=_("Contact phone"), required=False, max_length=30)
    contact_email = forms.CharField(label=_("Contact e-mail"), required=False, max_length=254)
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.filter(is_active=True)
    )
    programme.iterator = _ListedChoices
    topic = forms.CharField(label=_("Topic"), max_length=300)
    special_needs = forms.CharField(label=_("Special needs"), required=False, max_length=500)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not (data.get("contact_phone") or "").strip()
            and not (data.get("contact_email") or "").strip()
        ):
            raise forms.ValidationError(_("Give a phone number or an e-mail address."))
        return data
