"""A plain case list and case page (the full employee desk replaces these)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from charterdesk.cases.selectors import case_detail, case_list, case_timeline


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    cases = case_list().order_by("next_due_at", "-created_at")[:200]
    return render(request, "desk/case_list.html", {"cases": cases})


@login_required
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_detail(pk)
    return render(request, "desk/case_page.html", {"case": case, "timeline": case_timeline(case)})
