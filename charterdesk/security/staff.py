"""The signed-in employee, for every staff face (desk, phone, post, appointments, reports).

One decorator, here below the faces, so no face imports another for it (the layers in
``.importlinter``): signed in, and an active employee; anyone else gets a page saying why.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from charterdesk.directory.models import Employee, Team

View = Callable[..., Any]


def current_employee(request: HttpRequest) -> Employee | None:
    """The request's active employee, read with whether they lead a team (``leads_a_team``: in
    the same query, so that for everyone who leads none — most people — the access rules need
    no query for the teams led; ``security/principal.py``)."""
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    employee = (
        Employee.objects.annotate(leads_a_team=Exists(Team.objects.filter(lead_id=OuterRef("pk"))))
        .filter(user_id=user.pk or 0)
        .first()
    )
    if employee is None:
        return None
    user.employee = employee  # type: ignore[union-attr]  # the reverse relation, cached both ways
    return employee if employee.is_active else None


def employee_required(view: View) -> View:
    """Signed in, and an active employee; anyone else gets a page saying why, not a crash."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        employee = current_employee(request)
        if employee is None:
            return render(request, "desk/no_employee.html", status=403)
        request.employee = employee  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper
