"""Letters: those the client sent (registered on arrival) and those we sent (fixed when written).

A received letter becomes a case message through the same case services as an e-mail; its row
here keeps what the registry needs (registration number, the date on the letter, when it came).
A letter we send is fixed when it is recorded: recipient, address, text, identity block; its PDF
is made from this row, so printing it again gives the same letter.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from charterdesk.cases.models import Case, Message
from charterdesk.directory.models import Employee


class ReceivedLetter(models.Model):
    registration_number = models.CharField(_("registration number"), max_length=50, unique=True)
    sender_name = models.CharField(_("sender"), max_length=300)
    sender_address = models.CharField(_("sender's address"), max_length=300, blank=True)
    letter_date = models.DateField(_("date on the letter"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"))
    message = models.OneToOneField(
        Message,
        verbose_name=_("case message"),
        on_delete=models.PROTECT,
        related_name="received_letter",
    )
    registered_by = models.ForeignKey(
        Employee, verbose_name=_("registered by"), on_delete=models.PROTECT
    )
    registered_at = models.DateTimeField(_("registered"))

    class Meta:
        verbose_name = _("received letter")
        verbose_name_plural = _("received letters")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.registration_number} {self.sender_name}"


class SentLetter(models.Model):
    message = models.OneToOneField(
        Message, verbose_name=_("case message"), on_delete=models.PROTECT, related_name="letter"
    )
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE)
    registration_number = models.CharField(_("registration number"), max_length=60, unique=True)
    language = models.CharField(_("language"), max_length=2)
    recipient_name = models.CharField(_("recipient"), max_length=300)
    recipient_address = models.CharField(_("address"), max_length=300)
    institution_name = models.CharField(_("institution"), max_length=300)
    institution_address = models.CharField(_("institution's address"), max_length=300)
    subject = models.CharField(_("subject"), max_length=400)
    body_text = models.TextField(_("text"))
    identity_text = models.TextField(_("identity block"))
    sent_on = models.DateField(_("sent on"))
    created_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("sent letter")
        verbose_name_plural = _("sent letters")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.registration_number} → {self.recipient_name}"
