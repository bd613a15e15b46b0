"""Cases, their messages and attachments, and the append-only timeline of events."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from charterdesk.cases.status import Status
from charterdesk.clients.models import Client, Language
from charterdesk.directory.models import Employee, ExternalInstitution, Office, Programme, Team
from charterdesk.standard.channels import Channel as Channel  # the one enum, also from here


class ReferenceCounter(models.Model):
    """The last number handed out per prefix and year; the row lock serialises concurrent openings."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="one_counter_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


_ACTIVE = models.Q(status__in=["new", "open", "waiting"])


class Case(models.Model):
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    subject = models.CharField(_("subject"), max_length=300)
    # Foreign keys that lead one of the Meta indexes below have no index of their own (every
    # index is paid for on each insert; intake writes thousands of cases a minute).
    client = models.ForeignKey(
        Client,
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,
    )
    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    assignee = models.ForeignKey(
        Employee,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        db_index=False,
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default="lv")
    referred_to = models.ForeignKey(
        ExternalInstitution,
        verbose_name=_("referred to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    promised_by = models.DateTimeField(_("answer promised by"), null=True, blank=True)
    next_due_at = models.DateTimeField(
        _("next deadline"),
        null=True,
        blank=True,
        help_text=_("The earliest due moment of the case's open timers; kept by the SLA engine."),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Bumped by every change; guards against lost updates.")
    )
    created_at = models.DateTimeField(_("opened"))
    updated_at = models.DateTimeField(_("updated"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # [CONFIDENTIALITY] a confidential case is seen only by its team and those named on it
    # (charterdesk/cases/access.py).
    confidential = models.BooleanField(_("confidential"), default=False, db_default=False)
    named = models.ManyToManyField(
        Employee,
        verbose_name=_("named on the case"),
        blank=True,
        related_name="named_on_cases",
        help_text=_("Colleagues outside the case's team who may see it even when confidential."),
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["status", "next_due_at", "id"], name="case_status_due"),
            models.Index(
                fields=["assignee", "status", "next_due_at", "id"], name="case_assignee_due"
            ),
            models.Index(fields=["team", "status", "next_due_at", "id"], name="case_team_due"),
            models.Index(
                fields=["programme", "status", "next_due_at", "id"], name="case_programme_due"
            ),
            # One's own, the team's and a programme's cases in all statuses, sorted by deadline:
            # the indexes above hold the status second, so that order needs a sort of every
            # case of the employee, team or programme (20,000–200,000 rows at a million cases).
            models.Index(fields=["assignee", "next_due_at", "id"], name="case_assignee_all_due"),
            models.Index(fields=["team", "next_due_at", "id"], name="case_team_all_due"),
            models.Index(fields=["programme", "next_due_at", "id"], name="case_programme_all_due"),
            models.Index(fields=["client", "created_at"], name="case_client"),
            # "All statuses" sorted by deadline: without a status filter no index above serves
            # the order (a parallel scan and top-N sort at a million cases; docs/desk.md).
            models.Index(fields=["next_due_at", "id"], name="case_due"),
            # The inbox reads only active cases: partial indexes keep its pages and searches
            # sorted by deadline small at a million cases (docs/desk.md).
            models.Index(fields=["next_due_at", "id"], condition=_ACTIVE, name="case_active_due"),
            models.Index(
                fields=["assignee", "next_due_at", "id"],
                condition=_ACTIVE,
                name="case_active_assignee_due",
            ),
            models.Index(
                fields=["team", "next_due_at", "id"], condition=_ACTIVE, name="case_active_team_due"
            ),
            models.Index(
                fields=["programme", "next_due_at", "id"],
                condition=_ACTIVE,
                name="case_active_programme_due",
            ),
            # The unassigned active cases with the columns the access rule reads (its
            # ``unassigned`` form, cases/access.py): the unassigned count on every inbox page and
            # the unassigned view answered from the index alone (PostgreSQL; SQLite keeps the
            # key columns only).
            models.Index(
                fields=["next_due_at", "id"],
                include=["team", "programme", "confidential"],
                condition=_ACTIVE & models.Q(assignee__isnull=True),
                name="case_active_unassigned_due",
            ),
            # The inbox's other sorts over the active cases (desk/selectors.py SORTS): newest
            # received first (a backward scan) and subjects A–Z, keyset-paged on (value, id).
            models.Index(
                fields=["created_at", "id"], condition=_ACTIVE, name="case_active_created"
            ),
            models.Index(fields=["subject", "id"], condition=_ACTIVE, name="case_active_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"


class Direction(models.TextChoices):
    INBOUND = "in", _("from the client")
    OUTBOUND = "out", _("to the client")
    INTERNAL = "internal", _("internal note")


class MessageKind(models.TextChoices):
    REQUEST = "request", _("request")
    REPLY = "reply", _("reply")
    ACK = "ack", _("acknowledgement")
    DELAY = "delay", _("delay explanation")
    ESTIMATE = "estimate", _("time estimate")
    DECLINE = "decline", _("decline with reasons")
    REFERRAL = "referral", _("referral")
    APOLOGY = "apology", _("apology")
    NOTE = "note", _("internal note")
    CALL = "call", _("call note")
    LETTER = "letter", _("letter")
    SURVEY = "survey", _("survey invitation")
    INVITATION = "invitation", _("consultation invitation")
    REMINDER = "reminder", _("consultation reminder")


class Message(models.Model):
    case = models.ForeignKey(  # indexed by message_case_time
        Case, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=MessageKind.choices)
    author = models.ForeignKey(
        Employee, verbose_name=_("author"), on_delete=models.PROTECT, null=True, blank=True
    )
    sender = models.CharField(_("from"), max_length=300, blank=True)
    recipients = models.TextField(_("to"), blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML (sanitised)"), blank=True)
    language = models.CharField(_("language"), max_length=2, default="lv")
    message_id = models.CharField(_("Message-ID"), max_length=300, blank=True)
    in_reply_to = models.CharField(max_length=300, blank=True)
    references = models.TextField(blank=True)
    created_at = models.DateTimeField(_("time"))
    meta = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["case", "created_at"], name="message_case_time"),
            # Exact look-ups only (threading): no second, pattern-matching index.
            models.Index(fields=["message_id"], name="message_message_id"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.subject}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=300)
    content_type = models.CharField(_("type"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=attachment_path, max_length=300)
    inline = models.BooleanField(default=False)
    content_id = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class AppendOnlyError(RuntimeError):
    pass


class CaseEvent(models.Model):
    """One change to a case.  Rows are never updated or deleted: the timeline, the timers and the
    compliance report all read them."""

    case = models.ForeignKey(  # indexed by event_case_time
        Case,
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,
    )
    # One of charterdesk.standard.events.Event (checked by record_event); no choices here, so that
    # a new event type needs no migration.
    type = models.CharField(_("event"), max_length=40)
    actor = models.ForeignKey(
        Employee, verbose_name=_("by"), on_delete=models.PROTECT, null=True, blank=True
    )
    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.SET_NULL, null=True, blank=True
    )
    at = models.DateTimeField(_("time"))
    params = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["case", "at"], name="event_case_time"),
            models.Index(fields=["type", "at"], name="event_type_time"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("case events are append-only")


class LinkKind(models.TextChoices):
    # A message on ``case`` names ``other`` (its reference in the subject) but was not added to
    # it: its sender is not that case's client (issue 13: no case hijack by subject).
    MENTIONS = "mentions", _("mentions")


class CaseLink(models.Model):
    """``case`` → ``other``, of a kind; shown on both cases.  Append-only like the events."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_out")
    other = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=20, choices=LinkKind.choices)
    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("case link")
        verbose_name_plural = _("case links")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "other", "kind", "message"], name="case_link_once"
            )
        ]
        indexes = [models.Index(fields=["other", "created_at"], name="case_link_other")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.other_id}"
