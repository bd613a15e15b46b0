"""The composer's draft endpoint: ``POST`` saves what is typed (fetch, debounced, with the CSRF
token), ``GET`` gives the saved text back (JSON).  The case is fetched as the case page fetches it:
a case one may not see is a 404, as if it did not exist."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.views.decorators.http import require_http_methods

from charterdesk.desk.drafts import draft_get, draft_save
from charterdesk.desk.models import DraftKind
from charterdesk.desk.views.case import load_case
from charterdesk.desk.views.common import employee_required


@employee_required
@require_http_methods(["GET", "POST"])
def draft(request: HttpRequest, pk: int) -> HttpResponse:
    employee = request.employee  # type: ignore[attr-defined]
    case = load_case(pk, request.user)
    kind = request.POST.get("kind") or request.GET.get("kind") or DraftKind.REPLY
    if kind not in DraftKind.values:
        return JsonResponse({"error": "unknown kind"}, status=400)
    if request.method == "POST":
        saved = draft_save(
            employee=employee, case=case, kind=kind, body=request.POST.get("body", "")
        )
        return JsonResponse(
            {"saved": saved is not None, "at": saved.updated_at.isoformat() if saved else None}
        )
    if request.method != "GET":  # pragma: no cover - require_http_methods
        return HttpResponseNotAllowed(["GET", "POST"])
    found = draft_get(employee=employee, case=case, kind=kind)
    return JsonResponse(
        {"body": found.body if found else "", "at": found.updated_at.isoformat() if found else None}
    )
