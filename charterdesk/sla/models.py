"""Commitment timers and the engine's own small state (notifications: ``charterdesk.notifications``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from charterdesk.cases.models import Case, CaseEvent, Message


class TimerStatus(models.TextChoices):
    OPEN = "open", _("running")  # the clock runs: nothing that stops it has happened yet
    MET = "met", _("kept")  # stopped in time, by the answer or (where allowed) an explanation
    BREACHED = "breached", _("breached")  # the due moment passed first; a late answer is in met_at
    CANCELLED = "cancelled", _("cancelled")  # no longer owed: the policy dropped the commitment


class KeptBy(models.TextChoices):
    ANSWER = "answer", _("answer")  # one of the policy's stops_on events
    EXPLANATION = (
        "explanation",
        _("explanation"),
    )  # the policy's explained_by event (delay, new date)


class Timer(models.Model):
    """One commitment's clock on one case (per inbound message where the commitment is per message).

    Moments: ``due_at`` the deadline; ``warn_at`` the "time is running out" warning; ``owed_at``
    the moment an action is owed (EMAIL-ACK: the acknowledgement is handed to the sender then);
    ``met_at`` / ``explained_at`` when the answer / the explanation happened; ``breached_at`` the
    due moment that passed unanswered.  ``next_check_at`` is the earliest pending one of these,
    NULL when nothing is pending: the sweep finds due timers through a partial index on it.

    Open timers are re-computed when the policy or the calendar changes; closed ones keep the
    values they were judged by (``computed_with`` records which)."""

    case = models.ForeignKey(  # indexed by timer_case_status
        Case, on_delete=models.CASCADE, related_name="timers", db_index=False
    )
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="timers"
    )
    start_event = models.ForeignKey(
        CaseEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    commitment_id = models.CharField(_("commitment"), max_length=40)
    status = models.CharField(
        _("status"), max_length=10, choices=TimerStatus.choices, default=TimerStatus.OPEN
    )
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"))
    warn_at = models.DateTimeField(_("warning at"), null=True, blank=True)
    owed_at = models.DateTimeField(_("action owed at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    handed_over_at = models.DateTimeField(
        _("handed to the sender"),
        null=True,
        blank=True,
        help_text=_("EMAIL-ACK: when the acknowledgement was handed to the registered sender."),
    )
    met_at = models.DateTimeField(_("answered"), null=True, blank=True)
    explained_at = models.DateTimeField(_("explained"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    kept_by = models.CharField(_("kept by"), max_length=12, choices=KeptBy.choices, blank=True)
    stopped_by = models.CharField(
        _("stopped by event"), max_length=40, blank=True, help_text=_("e.g. reply.sent")
    )
    next_check_at = models.DateTimeField(null=True, blank=True)
    computed_with = models.CharField(
        max_length=80, blank=True, help_text="Policy hash and calendar revision of the due moment."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("timer")
        verbose_name_plural = _("timers")
        ordering = ["due_at", "id"]
        indexes = [
            # The sweep: only rows with something pending are in this index.
            models.Index(
                fields=["next_check_at"],
                name="timer_pending",
                condition=models.Q(next_check_at__isnull=False),
            ),
            models.Index(fields=["case", "status", "due_at"], name="timer_case_status"),
            models.Index(fields=["commitment_id", "started_at"], name="timer_commitment_time"),
            # The compliance report counts timers by the month of their due moment.
            models.Index(fields=["commitment_id", "due_at"], name="timer_commitment_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["start_event", "commitment_id"],
                condition=models.Q(start_event__isnull=False),
                name="one_timer_per_start_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id} {self.get_status_display()} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_owed(self) -> bool:
        """Still owed: running, or breached without an answer or explanation yet."""
        return self.status == TimerStatus.OPEN or (
            self.status == TimerStatus.BREACHED
            and self.met_at is None
            and self.explained_at is None
        )


class EngineState(models.Model):
    """Small key/value facts of the engine, e.g. the hash of the policy its timers were computed
    with (a changed policy file re-computes open timers)."""

    key = models.CharField(max_length=50, primary_key=True)
    value = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key
