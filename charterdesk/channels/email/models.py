"""Every message that reaches the desk, kept raw before anything else happens to it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from charterdesk.cases.models import Case, Message


class InboundState(models.TextChoices):
    STORED = (
        "stored",
        _("stored, not yet processed"),
    )  # raw bytes kept; a crash here is re-processed
    PROCESSED = "processed", _("processed")  # became a case or a message on one (or a bounce note)
    QUARANTINED = (
        "quarantined",
        _("in quarantine"),
    )  # held with a reason; released or deleted by hand
    DUPLICATE = "duplicate", _("duplicate")  # the same Message-ID was already taken in


class QuarantineReason(models.TextChoices):
    UNPARSEABLE = "unparseable", _("cannot be read as an e-mail message")
    NO_SENDER = "no_sender", _("no usable sender address")
    TOO_LARGE = "too_large", _("larger than the size limit")
    FORBIDDEN_ATTACHMENT = "forbidden_attachment", _("carries a forbidden attachment type")
    AUTO_UNTHREADED = "auto_unthreaded", _("automatic message that belongs to no case")
    BOUNCE_UNMATCHED = "bounce_unmatched", _("delivery report for a message we did not send")
    RATE_LIMITED = "rate_limited", _("too many messages from this sender")
    OWN_ADDRESS = "own_address", _("sent from one of our own addresses (mail loop)")
    PROCESSING_ERROR = "processing_error", _("failed while being processed")
    TOO_COMPLEX = "too_complex", _("too complex to read in the time allowed")


class InboundEmail(models.Model):
    """One message as it arrived.  Written in its own transaction before any processing; the
    unique hash makes a second delivery of the same bytes a no-op."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    message_id = models.CharField(_("Message-ID"), max_length=300, blank=True)
    raw = models.BinaryField(_("raw message"))
    size = models.PositiveIntegerField(_("size (bytes)"))
    source = models.CharField(
        _("source"), max_length=200, help_text=_("imap:<mailbox>/<folder>, lmtp, smtp or import")
    )
    source_ref = models.CharField(_("source reference"), max_length=500, blank=True)
    envelope = models.JSONField(_("envelope"), default=dict, blank=True)
    received_at = models.DateTimeField(_("received"))
    stored_at = models.DateTimeField(_("stored"))
    state = models.CharField(
        _("state"), max_length=12, choices=InboundState.choices, default=InboundState.STORED
    )
    reason = models.CharField(
        _("quarantine reason"), max_length=24, choices=QuarantineReason.choices, blank=True
    )
    error = models.TextField(_("details"), blank=True)
    sender = models.CharField(_("from"), max_length=300, blank=True)
    # The domain of ``sender`` (the rate limit per domain, ``intake/limits.py``).
    sender_domain = models.CharField(_("sender's domain"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_emails",
    )
    case_message = models.ForeignKey(
        Message,
        verbose_name=_("case message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_emails",
    )
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("duplicate of"), on_delete=models.SET_NULL, null=True, blank=True
    )
    attempts = models.PositiveSmallIntegerField(_("processing attempts"), default=0)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    released_by = models.CharField(_("released by"), max_length=150, blank=True)
    info = models.JSONField(
        _("parser notes"),
        default=dict,
        blank=True,
        help_text=_("Charset repairs, structural defects, delivery report."),
    )

    class Meta:
        verbose_name = _("received e-mail")
        verbose_name_plural = _("received e-mails")
        indexes = [
            models.Index(fields=["state", "id"], name="inbound_state"),
            models.Index(fields=["sender", "received_at"], name="inbound_sender_time"),
            models.Index(fields=["sender_domain", "received_at"], name="inbound_domain_time"),
        ]
        permissions = [("release_inboundemail", _("Can release e-mail from quarantine"))]

    def __str__(self) -> str:
        return f"#{self.pk} {self.sender or '?'}: {self.subject or '—'}"


class MailboxFolder(models.Model):
    """Where reading an IMAP folder got to: nothing is skipped whatever the messages' \\Seen flag,
    and a changed UIDVALIDITY (the folder was recreated) starts it over from the first message."""

    mailbox = models.CharField(_("mailbox"), max_length=100)
    folder = models.CharField(_("folder"), max_length=300)
    uidvalidity = models.BigIntegerField(_("UIDVALIDITY"), default=0)
    last_uid = models.BigIntegerField(_("last UID taken in"), default=0)
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("mailbox folder")
        verbose_name_plural = _("mailbox folders")
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "folder"], name="one_state_per_folder")
        ]

    def __str__(self) -> str:
        return f"{self.mailbox}/{self.folder} (UID {self.last_uid})"
