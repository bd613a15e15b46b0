"""What the desk keeps per employee: when they last looked at a case, and their saved inbox views.

Both are written only by ``charterdesk/desk/services/`` (``seen.py``, ``saved_filters.py``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from charterdesk.cases.models import Case
from charterdesk.directory.models import Employee


class CaseSeen(models.Model):
    """The last moment ``employee`` opened the page of ``case`` ("new since you last looked")."""

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="+"
    )
    seen_at = models.DateTimeField(_("last looked at"))

    class Meta:
        verbose_name = _("case looked at")
        verbose_name_plural = _("cases looked at")
        # The inbox reads one employee's rows for the page's cases: (employee, case) serves it.
        constraints = [
            models.UniqueConstraint(fields=["employee", "case"], name="desk_caseseen_once"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} · {self.case_id} · {self.seen_at:%Y-%m-%d %H:%M}"


class SavedFilter(models.Model):
    """An inbox view (scope, filters, sort) an employee saved under a name."""

    employee = models.ForeignKey(
        Employee,
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        related_name="saved_filters",
    )
    name = models.CharField(_("name"), max_length=80)
    # The inbox's own query string, normalised by the service (known keys only, sorted).
    query = models.CharField(_("filters"), max_length=600)
    created_at = models.DateTimeField(_("saved"))

    class Meta:
        verbose_name = _("saved inbox view")
        verbose_name_plural = _("saved inbox views")
        constraints = [
            models.UniqueConstraint(fields=["employee", "name"], name="desk_savedfilter_name"),
        ]

    def __str__(self) -> str:
        return self.name
