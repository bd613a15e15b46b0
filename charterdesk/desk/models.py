"""What the desk keeps per employee: the composer's drafts (kept on the server as the employee
types), when they last looked at a case, and their saved inbox views.

Written only by the desk's services (``drafts.py``; ``services/seen.py``, ``services/saved_filters.py``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from charterdesk.cases.models import Case
from charterdesk.directory.models import Employee


class DraftKind(models.TextChoices):
    REPLY = "reply", _("reply")
    NOTE = "note", _("internal note")


class Draft(models.Model):
    """What an employee has typed and not yet sent: one per (employee, case, kind), restored when
    the case page is opened again (after a reload, on another computer), deleted when sent."""

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="drafts", verbose_name=_("employee")
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=DraftKind.choices)
    body = models.TextField(_("text"), max_length=50000)
    updated_at = models.DateTimeField(_("saved"))

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "case", "kind"], name="one_draft_per_employee_case_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.case_id} {self.employee_id}"


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
