"""The inbox: the employee's cases sorted by the next deadline."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from charterdesk.desk.forms import SCOPE_CHOICES, InboxForm
from charterdesk.desk.selectors import InboxFilters, Scope, inbox_counts, inbox_page
from charterdesk.desk.timers import time_left
from charterdesk.desk.views.common import employee_required, is_htmx
from charterdesk.directory.models import Office, Programme


@employee_required
def inbox(request: HttpRequest) -> HttpResponse:
    employee = request.employee  # type: ignore[attr-defined]
    programmes = list(Programme.objects.filter(is_active=True).order_by("name_lv"))
    offices = list(Office.objects.filter(is_active=True).order_by("name_lv"))
    form = InboxForm(request.GET or None, programmes=programmes, offices=offices)
    now = timezone.now()
    page = None
    if not request.GET:
        filters = InboxFilters(scope=Scope.MINE)
        page = inbox_page(employee=employee, filters=filters, cursor=None, now=now)
    elif form.is_valid():
        filters = form.filters(employee)
        page = inbox_page(
            employee=employee, filters=filters, cursor=form.cleaned_data.get("after"), now=now
        )
    else:
        filters = InboxFilters()
    timers = time_left(page.cases, now) if page else {}
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "form": form,
        "page": page,
        "filters": filters,
        "timers": timers,
        "programmes": programmes,
        "base_query": query.urlencode(),
        "scopes": SCOPE_CHOICES,
        "counts": inbox_counts(employee=employee, now=now),
    }
    if is_htmx(request) and request.headers.get("HX-Target") == "results":
        return render(request, "desk/partials/inbox_results.html", context)
    return render(request, "desk/inbox.html", context)
