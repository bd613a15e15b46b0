"""Bulk assign / transfer / close from the inbox: choose cases, see one confirmation page listing
what will happen to each, confirm; the results page reports every case (``desk/services/bulk.py``).
Plain forms: it works without JavaScript."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charterdesk.desk.services import BulkAction, bulk_apply, bulk_plan
from charterdesk.desk.views.common import employee_required
from charterdesk.directory.models import Employee

ACTION_LABELS = {
    BulkAction.ASSIGN: _("Assign"),
    BulkAction.TRANSFER: _("Transfer"),
    BulkAction.CLOSE: pgettext_lazy("case action", "Close"),
}


def _ints(values: list[str]) -> list[int]:
    out = []
    for raw in values:
        try:
            out.append(int(raw))
        except ValueError:
            continue
    return out


def _return_to(request: HttpRequest) -> str:
    target = request.POST.get("return_to") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("inbox")


@employee_required
def bulk(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("inbox")
    employee: Employee = request.employee  # type: ignore[attr-defined]
    post = request.POST
    return_to = _return_to(request)
    try:
        action = BulkAction(post.get("action") or "")
    except ValueError:
        action = None
    to = None
    to_pk = _ints([post.get("to") or ""])
    if to_pk:
        to = Employee.objects.filter(pk=to_pk[0], is_active=True).first()
    note = post.get("note", "")
    step = post.get("step", "review")
    if post.get("all_page"):
        chosen = _ints(post.getlist("page_case"))
    else:
        chosen = _ints(post.getlist("case"))
    context: dict[str, Any] = {
        "action": action,
        "action_label": ACTION_LABELS.get(action) if action else "",
        "to": to,
        "note": note,
        "return_to": return_to,
        "nav": "inbox",
    }
    if action is None:
        context["problem"] = _("Choose what to do with the cases: assign, transfer or close.")
        return render(request, "desk/bulk.html", context, status=400)
    try:
        if step == "confirm":
            versions: dict[int, int | None] = {}
            for pk in chosen:
                raw = _ints([post.get(f"version-{pk}", "")])
                versions[pk] = raw[0] if raw else None
            items = bulk_apply(by=employee, action=action, versions=versions, to=to, note=note)
            context["done"] = True
        else:
            items = bulk_plan(by=employee, action=action, case_ids=chosen, to=to, note=note)
    except ValidationError as exc:
        context["problem"] = " ".join(exc.messages)
        return render(request, "desk/bulk.html", context, status=400)
    context["items"] = items
    context["ok_count"] = sum(1 for i in items if i.ok)
    context["refused_count"] = sum(1 for i in items if not i.ok)
    return render(request, "desk/bulk.html", context)
