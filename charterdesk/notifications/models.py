"""An employee's notifications of deadline warnings and breaches (one per recipient and event)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from charterdesk.cases.models import Case, CaseEvent
from charterdesk.directory.models import Employee
from charterdesk.outbox.models import OutboxMessage


class NotificationKind(models.TextChoices):
    WARNING = "warning", _("deadline close")
    BREACH = "breach", _("deadline missed")


class Notification(models.Model):
    """One ``timer.warning`` or ``timer.breached`` event told to one employee: in the desk (unread
    until marked read) and by e-mail in the recipient's working hours (``email``).  The unique
    constraint on (recipient, event) is what makes "never twice for one event" hold, whoever
    (a task, the sweep, two sweeps) comes to the event again."""

    recipient = models.ForeignKey(
        Employee,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    event = models.ForeignKey(
        CaseEvent, on_delete=models.CASCADE, related_name="+", verbose_name=_("event")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=NotificationKind.choices)
    commitment_id = models.CharField(_("commitment"), max_length=40)
    due_at = models.DateTimeField(_("due"))
    created_at = models.DateTimeField(_("created"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email = models.ForeignKey(
        OutboxMessage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("e-mail"),
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "created_at"], name="notification_unread")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event"], name="one_notification_per_recipient_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.commitment_id} → {self.recipient_id}"
