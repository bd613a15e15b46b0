"""What every desk view shares: the signed-in employee."""

from __future__ import annotations

from django.http import HttpRequest

from charterdesk.security.staff import View, current_employee, employee_required

__all__ = ["View", "current_employee", "employee_required", "is_htmx"]


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
