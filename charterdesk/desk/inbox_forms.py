"""The inbox's filters as a form: scope, programme, status, channel, office, overdue only, the
search words, the sort and the page cursor, read from the query string."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charterdesk.cases.models import Channel
from charterdesk.cases.status import Status
from charterdesk.desk.forms import employee_competences
from charterdesk.desk.selectors import DEFAULT_SORT, SORTS, Cursor, InboxFilters, Scope
from charterdesk.directory.models import Employee, Office, Programme

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Short words get a context: other catalogues translate "All" for other nouns.
SCOPE_CHOICES = [
    (Scope.MINE, pgettext_lazy("inbox tab: cases", "Mine")),
    (Scope.TEAM, pgettext_lazy("inbox tab: cases", "My team's")),
    (Scope.PROGRAMME, pgettext_lazy("inbox tab: cases", "Programme")),
    (Scope.UNASSIGNED, pgettext_lazy("inbox tab: cases", "Unassigned")),
    (Scope.ALL, pgettext_lazy("inbox tab: cases", "All")),
]


class InboxForm(forms.Form):
    scope = forms.ChoiceField(label=_("Cases"), required=False, choices=SCOPE_CHOICES)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("active", _("active (new, open, waiting)")),
            ("all", _("all statuses")),
            *Status.choices,
        ],
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("all channels")), *Channel.choices]
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        required=False,
        queryset=Programme.objects.none(),
        empty_label=_("all programmes"),
    )
    office = forms.ModelChoiceField(
        label=_("Office"),
        required=False,
        queryset=Office.objects.none(),
        empty_label=_("all offices"),
    )
    breached = forms.BooleanField(label=_("Only breached deadlines"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[(key, key) for key in SORTS],
        widget=forms.HiddenInput,
    )
    after = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, programmes: list[Programme], offices: list[Office], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # The option lists are read once per page by the view (a constant number of queries).
        programme_field = self.fields["programme"]
        office_field = self.fields["office"]
        assert isinstance(programme_field, forms.ModelChoiceField)
        assert isinstance(office_field, forms.ModelChoiceField)
        programme_field.queryset = Programme.objects.filter(pk__in=[p.pk for p in programmes])
        programme_field.choices = [("", _("all programmes"))] + [(p.pk, p.name) for p in programmes]
        office_field.queryset = Office.objects.filter(pk__in=[o.pk for o in offices])
        office_field.choices = [("", _("all offices"))] + [(o.pk, o.name) for o in offices]
        self._programmes = {p.pk: p for p in programmes}
        self._offices = {o.pk: o for o in offices}

    def _known_pk(self, field: str, known: dict[int, Any], message: StrOrPromise) -> int | None:
        # Checked against the list already read, so validation costs no query.
        raw = self.data.get(field) or ""
        if not raw:
            return None
        try:
            pk = int(raw)
        except ValueError:
            pk = -1
        if pk not in known:
            raise forms.ValidationError(message, params={"value": raw})
        return pk

    def clean_programme(self) -> int | None:
        return self._known_pk(
            "programme", self._programmes, _("There is no programme number %(value)s.")
        )

    def clean_office(self) -> int | None:
        return self._known_pk("office", self._offices, _("There is no office number %(value)s."))

    def clean_after(self) -> Cursor | None:
        raw = self.cleaned_data.get("after") or ""
        if not raw:
            return None
        try:
            return Cursor.decode(raw)
        except (ValueError, OverflowError):
            raise forms.ValidationError(
                _("The page link is damaged; start again from the first page.")
            ) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        cursor = data.get("after")
        sort = SORTS[data.get("sort") or DEFAULT_SORT]
        if cursor is not None and not sort.fits(cursor):
            self.add_error("after", _("The page link is damaged; start again from the first page."))
        return data

    def filters(self, employee: Employee) -> InboxFilters:
        data = self.cleaned_data
        scope = data.get("scope") or Scope.MINE
        programme = data.get("programme")
        if scope == Scope.PROGRAMME and programme is None:
            # A programme's inbox without a choice: the first programme the employee is competent for.
            mine = [pk for pk in employee_competences(employee) if pk in self._programmes]
            programme = mine[0] if mine else next(iter(self._programmes), None)
        return InboxFilters(
            scope=scope,
            programme=programme,
            status=data.get("status") or "active",
            channel=data.get("channel") or "",
            office=data.get("office"),
            breached=bool(data.get("breached")),
            query=(data.get("q") or "").strip(),
            sort=data.get("sort") or DEFAULT_SORT,
        )
