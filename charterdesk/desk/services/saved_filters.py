"""Saved inbox views: an employee's scope, filters and sort under a name.

The rules: a name is required (at most 80 characters, spaces trimmed); saving under a name one
already has replaces that view; an employee keeps at most ``SAVED_FILTERS_MAX`` views; only the
inbox's own filter keys are kept (never the page cursor), empty ones dropped, in a fixed order;
an employee deletes only their own views.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from charterdesk.desk.models import SavedFilter
from charterdesk.directory.models import Employee

SAVED_FILTER_KEYS = ("scope", "q", "status", "channel", "programme", "office", "breached", "sort")
SAVED_FILTERS_MAX = 20
NAME_MAX = 80


def normalise_query(params: Mapping[str, str]) -> str:
    """The inbox query string of ``params``: known keys in a fixed order, empty values dropped."""
    kept = [(k, str(params.get(k) or "").strip()) for k in SAVED_FILTER_KEYS]
    return urlencode([(k, v) for k, v in kept if v])


def saved_filters_of(employee: Employee) -> list[SavedFilter]:
    return list(SavedFilter.objects.filter(employee=employee).order_by("name", "id"))


@transaction.atomic
def saved_filter_save(
    *, employee: Employee, name: str, params: Mapping[str, str]
) -> tuple[SavedFilter, bool]:
    """Save the view ``params`` as ``name``; returns the row and whether it is new (False: a view
    of that name was replaced).  Raises ``ValidationError`` with the reason."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(_("Give the view a name."), code="name")
    if len(name) > NAME_MAX:
        raise ValidationError(
            _("A view's name is at most %(max)d characters.") % {"max": NAME_MAX}, code="name"
        )
    query = normalise_query(params)
    # The employee's rows are locked, so two saves at once cannot pass the limit together.
    mine = list(SavedFilter.objects.select_for_update().filter(employee=employee))
    same = next((f for f in mine if f.name.casefold() == name.casefold()), None)
    if same is not None:
        same.name, same.query = name, query
        same.save(update_fields=["name", "query"])
        return same, False
    if len(mine) >= SAVED_FILTERS_MAX:
        raise ValidationError(
            _("You have %(max)d saved views, the most there can be; delete one first.")
            % {"max": SAVED_FILTERS_MAX},
            code="limit",
        )
    row = SavedFilter.objects.create(
        employee=employee, name=name, query=query, created_at=timezone.now()
    )
    return row, True


def saved_filter_delete(*, employee: Employee, pk: int) -> SavedFilter:
    """Delete the employee's view ``pk``; another's or a missing one is ``SavedFilter.DoesNotExist``."""
    row = SavedFilter.objects.get(pk=pk, employee=employee)
    row.delete()
    return row
