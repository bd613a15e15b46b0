"""Clients: persons, companies, partner institutions and internal units — the standard serves all."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from charterdesk.core.fields import EmailAddressField, PhoneField


class ClientKind(models.TextChoices):
    PERSON = "person", _("person")
    COMPANY = "company", _("company")
    PARTNER = "partner", _("partner institution")
    INTERNAL = "internal", _("internal unit")


class PreferredChannel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    PHONE = "phone", _("phone")
    IN_PERSON = "in_person", _("in person")
    POST = "post", _("post")
    PORTAL = "portal", _("client portal")


class Language(models.TextChoices):
    LV = "lv", _("Latvian")
    EN = "en", _("English")


class Client(models.Model):
    kind = models.CharField(
        _("kind"), max_length=10, choices=ClientKind.choices, default=ClientKind.PERSON
    )
    name = models.CharField(_("name"), max_length=200)
    registration_number = models.CharField(
        _("registration number"), max_length=30, blank=True, help_text=_("For companies.")
    )
    email = EmailAddressField(_("e-mail"), blank=True, db_index=True)
    phone = PhoneField(_("phone"), blank=True, db_index=True)
    postal_address = models.CharField(_("postal address"), max_length=300, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.LV
    )
    preferred_channel = models.CharField(
        _("preferred channel"),
        max_length=10,
        choices=PreferredChannel.choices,
        default=PreferredChannel.EMAIL,
        help_text=_("[CLIENT-CHANNEL-CHOICE]"),
    )
    special_needs = models.TextField(
        _("special needs"),
        blank=True,
        help_text=_("[CLIENT-SPECIAL-NEEDS] Shown on every case and appointment of the client."),
    )
    surveys_declined = models.BooleanField(_("declined surveys"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name"]
        indexes = [
            # Intake and the portal find a client by address case-insensitively (email__iexact).
            models.Index(Upper("email"), name="client_email_upper"),
        ]
        constraints = [
            # [CLIENT-CONTACT]: the database refuses a client nobody can reach.
            models.CheckConstraint(
                condition=~models.Q(email="") | ~models.Q(phone=""),
                name="client_has_contact",
                violation_error_message=_(
                    "Give a phone number or an e-mail address so the client can be reached."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name
