"""The desk's own rows: the composer's drafts, kept on the server as the employee types."""

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
