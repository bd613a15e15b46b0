"""Who sees which compliance figures — a small local check until the access part's roles land.

* The quality manager (permission ``reports.view_all_reports``, or a superuser) sees every case.
* A team lead (``Team.lead``) sees the cases of the teams they lead, and the employees in them.
* Anyone else sees no report.

The drill-down lists case references and subjects, so it also holds only the cases the reader
may see (``drilldown(viewer=…)`` through ``charterdesk.cases.access``): a confidential case is
listed only to its team and those named on it, though the figures count it.
"""

from __future__ import annotations

from typing import Any

from charterdesk.directory.models import Team
from charterdesk.reports.figures import Scope


def report_scope(user: Any) -> Scope | None:
    """The cases ``user`` may see in the report, or None if they may see no report."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser or user.has_perm("reports.view_all_reports"):
        return Scope.everything()
    employee = getattr(user, "employee", None)
    if employee is None or not employee.is_active:
        return None
    if getattr(employee, "quality_manager", False):  # the access part's role flag
        return Scope.everything()
    teams = tuple(Team.objects.filter(lead=employee).order_by("pk").values_list("pk", flat=True))
    return Scope(teams) if teams else None
