"""The transactional outbox and the answer templates.

An ``OutboxMessage`` is written in the same transaction as the case change that produced it (the
listener on ``message.sent``); a task sends it later through Django's SMTP backend.  Everything the
mail will contain — recipient, subject, both bodies with the identity block, every header including
the ``Message-ID`` — is fixed when the row is written, so a resend after a crash is the same mail.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from charterdesk.cases.models import Case, Message, MessageKind
from charterdesk.directory.models import Employee, Programme

#: The kind of a mail to an employee (a deadline notification), not to the client.
NOTICE = "notice"
OUTBOX_KINDS = [*MessageKind.choices, (NOTICE, _("notice to an employee"))]


class OutboxState(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")  # written; a task or the sweep will send it
    SENDING = "sending", _("being sent")  # a worker claimed it; a stale claim is retried
    SENT = "sent", _("sent")  # the SMTP server accepted it
    FAILED = "failed", _("failed")  # refused permanently or out of attempts; needs a person
    BOUNCED = "bounced", _("bounced")  # accepted, then a delivery status notification came back


class OutboxMessage(models.Model):
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="outbox_messages"
    )
    case_message = models.OneToOneField(
        Message,
        verbose_name=_("case message"),
        on_delete=models.CASCADE,
        related_name="outbox",
        null=True,
        blank=True,
        help_text=_("Empty for a notice to an employee (it is not part of the case's messages)."),
    )
    to_employee = models.ForeignKey(
        Employee,
        verbose_name=_("to the employee"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("A notice to an employee (a deadline notification), not a mail to the client."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=OUTBOX_KINDS)
    answers = models.ForeignKey(
        Message,
        verbose_name=_("answers the client's message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbox_answers",
        help_text=_("The client's message this one answers or acknowledges (threading)."),
    )
    language = models.CharField(_("language"), max_length=2)
    from_email = models.CharField(_("from"), max_length=300)
    to = models.CharField(_("to"), max_length=300)
    subject = models.CharField(_("subject"), max_length=400)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"))
    identity_text = models.TextField(
        _("identity block (text)"), help_text=_("[EMAIL-IDENTITY] checked again before sending.")
    )
    identity_html = models.TextField(_("identity block (HTML)"))
    message_id = models.CharField(_("Message-ID"), max_length=300, unique=True)
    headers = models.JSONField(_("headers"), default=dict)
    state = models.CharField(
        _("state"), max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    claimed_at = models.DateTimeField(_("claimed by a worker at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    bounced_at = models.DateTimeField(_("bounced"), null=True, blank=True)
    bounce_reason = models.TextField(_("bounce reason"), blank=True)
    created_at = models.DateTimeField(_("written"))

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due")]
        constraints = [
            # [EMAIL-ACK] never twice for one message of the client.
            models.UniqueConstraint(
                fields=["answers"],
                condition=models.Q(kind="ack"),
                name="outbox_one_ack_per_message",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.to} ({self.state})"


class TemplateKind(models.TextChoices):
    REPLY = "reply", _("reply")
    ACK = "ack", _("acknowledgement")
    DELAY = "delay", _("delay explanation")
    DECLINE = "decline", _("decline with reasons")
    REFERRAL = "referral", _("referral")
    ESTIMATE = "estimate", _("time estimate")
    APOLOGY = "apology", _("apology")


class TemplateLanguage(models.TextChoices):
    LV = "lv", _("Latvian")
    EN = "en", _("English")


class MessageTemplate(models.Model):
    """A text employees (and the automatic acknowledgement) start from.

    Subject and body are Django templates restricted to a few variables and tags (see
    ``charterdesk.outbox.templating``); saving one with an unknown variable or a syntax error is
    refused with a message that names the problem.  The identity block is not part of the template:
    the outbox adds it to every mail."""

    name = models.SlugField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=TemplateKind.choices)
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Empty: for every programme."),
    )
    language = models.CharField(_("language"), max_length=2, choices=TemplateLanguage.choices)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["kind", "name", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "language"],
                condition=models.Q(programme__isnull=True),
                name="template_name_language_all_programmes",
            ),
            models.UniqueConstraint(
                fields=["name", "language", "programme"],
                condition=models.Q(programme__isnull=False),
                name="template_name_language_programme",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"

    def clean(self) -> None:
        from charterdesk.outbox.templating import TemplateSourceError, check_template_source

        errors: dict[str, list[str]] = {}
        for field in ("subject", "body"):
            try:
                check_template_source(getattr(self, field) or "")
            except TemplateSourceError as exc:
                errors.setdefault(field, []).append(str(exc))
        if errors:
            raise ValidationError(errors)
