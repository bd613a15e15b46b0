"""The form that registers a received letter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charterdesk.cases.models import Case
from charterdesk.directory.models import Programme

MAX_SCAN = 20 * 1024 * 1024


class RegisterLetterForm(forms.Form):
    registration_number = forms.CharField(label=_("Registration number"), max_length=50)
    sender_name = forms.CharField(label=_("Sender"), max_length=300)
    sender_address = forms.CharField(label=_("Sender's address"), max_length=300, required=False)
    letter_date = forms.DateField(
        label=_("Date on the letter"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
    )
    received_at = forms.DateTimeField(
        label=_("Received on"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("The deadlines count from this moment."),
        error_messages={"invalid": _("Enter the date and time as 25.11.2026 14:05.")},
    )
    case_reference = forms.CharField(
        label=_("Case reference (if the letter belongs to a case)"),
        max_length=30,
        required=False,
    )
    client_contact = forms.CharField(
        label=_("Client's e-mail or phone (for a new case)"),
        max_length=300,
        required=False,
        help_text=_(
            "A known client is found by it; otherwise a new client is made with the sender's name "
            "and address. [CLIENT-CONTACT]"
        ),
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), required=False
    )
    subject = forms.CharField(label=_("Subject"), max_length=300)
    text = forms.CharField(
        label=_("Summary or text of the letter"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=50000,
    )
    scan = forms.FileField(label=_("Scan of the letter"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Programme.objects.order_by("pk")
        field.empty_label = "—"
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.case: Case | None = None

    def clean_case_reference(self) -> str:
        ref = (self.cleaned_data.get("case_reference") or "").strip().upper()
        if ref:
            self.case = Case.objects.select_related("client").filter(reference=ref).first()
            if self.case is None:
                raise forms.ValidationError(
                    _("There is no case %(ref)s."), params={"ref": ref}, code="unknown"
                )
        return ref

    def clean_scan(self) -> Any:
        scan = self.cleaned_data.get("scan")
        if scan is not None and scan.size > MAX_SCAN:
            raise forms.ValidationError(_("The scan is larger than 20 MB."))
        return scan

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not data.get("case_reference")
            and not (data.get("client_contact") or "").strip()
            and "case_reference" not in self.errors
        ):
            self.add_error(
                "client_contact",
                _(
                    "Give the case the letter belongs to, or the client's e-mail or phone "
                    "so a case can be opened."
                ),
            )
        return data
