"""The inbox: the employee's cases sorted by the next deadline (or a column they choose), with
its markers, saved views, bulk actions (``views/bulk.py``) and live updates (polling ``inbox_live``
for the view's version; docs/desk.md "Live updates")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from charterdesk.cases.models import Channel
from charterdesk.cases.status import Status
from charterdesk.desk.inbox_forms import SCOPE_CHOICES, InboxForm
from charterdesk.desk.models import SavedFilter
from charterdesk.desk.selectors import (
    DEFAULT_SORT,
    FIRST_DIRECTION,
    InboxFilters,
    InboxPage,
    Scope,
    inbox_counts,
    inbox_page,
    inbox_version,
    version_of,
)
from charterdesk.desk.services import (
    normalise_query,
    saved_filter_delete,
    saved_filter_save,
    saved_filters_of,
)
from charterdesk.desk.timers import time_left
from charterdesk.desk.views.common import employee_required, is_htmx
from charterdesk.directory.models import Employee, Office, Programme

# How often an open inbox asks whether its view changed (static/desk/inbox.js reads it from the
# page); the cost of 50 desks at this interval is measured in docs/desk.md (bench/desk_live.py).
LIVE_INTERVAL_SECONDS = 15

SORT_COLUMNS = {
    "due": gettext_lazy("Time left"),
    "subject": gettext_lazy("Case"),
    "client": gettext_lazy("Client"),
    "received": pgettext_lazy("inbox column", "Received"),
}


@dataclass
class ViewState:
    form: InboxForm
    filters: InboxFilters
    page: InboxPage | None
    programmes: list[Programme]
    now: datetime


def _view_state(request: HttpRequest, employee: Employee, *, with_page: bool = True) -> ViewState:
    params = request.GET
    # The option lists are for the filter form; a live poll reads them only when its view names a
    # programme or an office (they validate it), so an unchanged "mine" costs one case query.
    needs_lists = with_page or bool(
        params.get("programme") or params.get("office") or params.get("scope") == Scope.PROGRAMME
    )
    programmes: list[Programme] = []
    offices: list[Office] = []
    if needs_lists:
        programmes = list(Programme.objects.filter(is_active=True).order_by("name_lv"))
        offices = list(Office.objects.filter(is_active=True).order_by("name_lv"))
    form = InboxForm(params or None, programmes=programmes, offices=offices)
    now = timezone.now()
    page = None
    if not params:
        filters = InboxFilters(scope=Scope.MINE)
        cursor = None
    elif form.is_valid():
        filters = form.filters(employee)
        cursor = form.cleaned_data.get("after")
    else:
        return ViewState(form, InboxFilters(), None, programmes, now)
    if with_page:
        page = inbox_page(employee=employee, filters=filters, cursor=cursor, now=now)
    return ViewState(form, filters, page, programmes, now)


def _query(params: QueryDict, **changes: str | None) -> str:
    query = params.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value:
            query[key] = value
    return query.urlencode()


def sort_headers(params: QueryDict, current: str) -> dict[str, dict[str, Any]]:
    """Per sortable column: its link (the other direction when it is the sorted one), ``aria-sort``
    and what the link does, for the header buttons."""
    headers = {}
    for column, label in SORT_COLUMNS.items():
        sorted_here = current.lstrip("-") == column
        if sorted_here:
            descending = current.startswith("-")
            target = column if descending else f"-{column}"
            state = "descending" if descending else "ascending"
        else:
            target = FIRST_DIRECTION[column]
            state = ""
        headers[column] = {
            "label": label,
            "aria_sort": state,
            "href": "?"
            + _query(params, sort=None if target == DEFAULT_SORT else target, after=None),
            "does": _("sort descending") if target.startswith("-") else _("sort ascending"),
        }
    return headers


def _results_context(
    request: HttpRequest, state: ViewState, employee: Employee, version: str = ""
) -> dict[str, Any]:
    page = state.page
    if page and not version:
        if page.first_page:  # the version is of these very rows: no second read
            version = version_of((c.pk, c.updated_at) for c in page.cases)
        else:
            version = inbox_version(employee=employee, filters=state.filters, now=state.now)
    return {
        "form": state.form,
        "page": page,
        "filters": state.filters,
        "timers": time_left(page.cases, state.now) if page else {},
        # The rows' labels, translated once per page (``get_status_display`` hashes the lazy
        # choices on every call: a sixth of the rows' rendering; docs/desk.md).
        "status_labels": {value: str(label) for value, label in Status.choices},
        "channel_labels": {value: str(label) for value, label in Channel.choices},
        "programmes": state.programmes,
        "base_query": _query(request.GET, after=None),
        "sort_headers": sort_headers(request.GET, state.filters.sort),
        "live_url": reverse("inbox_live") + ("?" + request.GET.urlencode() if request.GET else ""),
        "live_version": version,
        "live_interval": LIVE_INTERVAL_SECONDS,
        "return_to": reverse("inbox") + ("?" + request.GET.urlencode() if request.GET else ""),
        "colleagues": list(
            Employee.objects.filter(is_active=True)
            .select_related("team")
            .order_by("surname", "first_name")
        )
        if page and page.cases
        else [],
        "save_query": _query(request.GET, after=None),
    }


@employee_required
def inbox(request: HttpRequest) -> HttpResponse:
    employee = request.employee  # type: ignore[attr-defined]
    state = _view_state(request, employee)
    context = _results_context(request, state, employee)
    context.update(
        {
            "scopes": SCOPE_CHOICES,
            "counts": inbox_counts(employee=employee, now=state.now),
            "saved_filters": saved_filters_of(employee),
            "current_view": normalise_query(request.GET),
        }
    )
    if is_htmx(request) and request.headers.get("HX-Target") == "results":
        return render(request, "desk/partials/inbox_results.html", context)
    return render(request, "desk/inbox.html", context)


@require_GET
@employee_required
def inbox_live(request: HttpRequest) -> HttpResponse:
    """The view's results when they changed since the version the page has (``If-None-Match``),
    else 304 with no body: one aggregate query per poll when nothing changed."""
    employee = request.employee  # type: ignore[attr-defined]
    state = _view_state(request, employee, with_page=False)
    version = ""
    if state.form.is_valid() or not request.GET:
        version = inbox_version(employee=employee, filters=state.filters, now=state.now)
        if version and request.headers.get("If-None-Match") == version:
            response: HttpResponse = HttpResponseNotModified()
            response["ETag"] = version
            response["Cache-Control"] = "no-cache, private"
            return response
        state.page = inbox_page(
            employee=employee, filters=state.filters, cursor=_cursor(state), now=state.now
        )
    response = render(
        request,
        "desk/partials/inbox_results.html",
        _results_context(request, state, employee, version),
    )
    if version:
        response["ETag"] = version
    response["Cache-Control"] = "no-cache, private"
    return response


def _cursor(state: ViewState) -> Any:
    return state.form.cleaned_data.get("after") if state.form.is_bound else None


def _back_to_inbox(query: str) -> HttpResponse:
    return redirect(reverse("inbox") + (f"?{query}" if query else ""))


@require_POST
@employee_required
def saved_filter_save_view(request: HttpRequest) -> HttpResponse:
    employee = request.employee  # type: ignore[attr-defined]
    params = QueryDict(request.POST.get("query", ""))
    try:
        row, new = saved_filter_save(
            employee=employee, name=request.POST.get("name", ""), params=params
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back_to_inbox(params.urlencode())
    if new:
        messages.success(request, _("The view “%(name)s” is saved.") % {"name": row.name})
    else:
        messages.success(request, _("The view “%(name)s” is replaced.") % {"name": row.name})
    return _back_to_inbox(row.query)


@require_POST
@employee_required
def saved_filter_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    employee = request.employee  # type: ignore[attr-defined]
    try:
        row = saved_filter_delete(employee=employee, pk=pk)
    except SavedFilter.DoesNotExist:
        raise Http404("no such saved view") from None
    messages.success(request, _("The view “%(name)s” is deleted.") % {"name": row.name})
    return _back_to_inbox(QueryDict(request.POST.get("query", "")).urlencode())
