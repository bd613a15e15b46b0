"""The institution and its people: offices, programmes, teams, employees, external institutions.

Everything here is configuration an administrator edits in the admin; ALTUM's values are loaded as
the default configuration by ``charterdesk loadconfig`` (``directory/defaults/altum.toml``; the demo
loads it too).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from charterdesk.calendar.models import Schedule
from charterdesk.core.fields import EmailAddressField, PhoneField


class Bilingual(models.Model):
    """Rows with a Latvian and an English name; ``name`` follows the active language."""

    name_lv = models.CharField(_("name (Latvian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "lv").startswith("en") else self.name_lv


class Institution(Bilingual):
    """The institution that runs the desk: its identity appears in every reply [EMAIL-IDENTITY]."""

    short_name = models.CharField(_("short name"), max_length=50)
    general_phone = PhoneField(_("general information phone"))
    portal_support_phone = PhoneField(_("client portal support phone"), blank=True)
    general_email = EmailAddressField(_("general e-mail"))
    postal_address = models.CharField(_("postal address"), max_length=300)
    website = models.URLField(_("website"), blank=True)
    portal_url = models.URLField(_("client portal address"), blank=True)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")


class Office(Bilingual):
    """A consultation office; clients may use any of them [OFFICE-ANY]."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    address = models.CharField(_("address"), max_length=300)
    phone = PhoneField(_("phone"), blank=True)
    email = EmailAddressField(_("e-mail"), blank=True)
    schedule = models.ForeignKey(
        Schedule,
        verbose_name=_("working schedule"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty: the institution-wide default schedule."),
    )
    accessibility = models.TextField(
        _("accessibility features"),
        blank=True,
        help_text=_("[OFFICE-ACCESSIBLE] ramps, lifts, parking…"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("consultation office")
        verbose_name_plural = _("consultation offices")
        ordering = ["name_lv"]


class ProgrammeCategory(models.TextChoices):
    LOAN = "loan", _("loan")
    GUARANTEE = "guarantee", _("guarantee")
    VENTURE = "venture", _("venture capital")
    OTHER = "other", _("other")


class ApplyVia(models.TextChoices):
    PORTAL = "portal", _("client portal")
    OFFICE = "office", _("consultation office")
    EMAIL = "email", _("e-mail")


class Programme(Bilingual):
    """A support programme or service, with its own way of applying [PROGRAMME-CHANNELS]."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=ProgrammeCategory.choices)
    apply_via = models.CharField(_("how to apply"), max_length=10, choices=ApplyVia.choices)
    needs_identity_document = models.BooleanField(_("identity document needed"), default=False)
    public_phone = PhoneField(_("public phone"), blank=True)
    public_email = EmailAddressField(
        _("public e-mail"),
        blank=True,
        help_text=_("Mail to this address opens cases for this programme."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name_lv"]


class Team(Bilingual):
    lead = models.ForeignKey(
        "Employee",
        verbose_name=_("team lead"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")


class Employee(models.Model):
    """An employee: the sign-in account plus what the standard needs to know of them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sign-in account"),
        on_delete=models.CASCADE,
        related_name="employee",
    )
    first_name = models.CharField(_("first name"), max_length=100)
    surname = models.CharField(_("surname"), max_length=100)
    position_lv = models.CharField(_("position (Latvian)"), max_length=200)
    position_en = models.CharField(_("position (English)"), max_length=200, blank=True)
    phone = PhoneField(_("phone"))
    email = EmailAddressField(_("e-mail"))
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    offices = models.ManyToManyField(Office, verbose_name=_("offices"), blank=True)
    competences = models.ManyToManyField(
        Programme, verbose_name=_("programme competences"), blank=True, related_name="competent"
    )
    languages = models.CharField(
        _("languages"), max_length=50, default="lv", help_text=_("Language codes, e.g. lv,en,ru")
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Roles (charterdesk/security/principal.py): a team lead is the lead of a Team; a quality
    # manager reads every case that is not confidential and changes none [CONFIDENTIALITY].
    quality_manager = models.BooleanField(
        _("quality manager"),
        default=False,
        help_text=_("Reads every case that is not confidential, changes none."),
    )

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["surname", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.surname}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.surname}"

    def position(self, language: str = "lv") -> str:
        return (
            self.position_en if language.startswith("en") and self.position_en else self.position_lv
        )


class CompetenceArea(Bilingual):
    """An area a competent external institution handles (taxes, EU grants, insolvency …)."""

    class Meta:
        verbose_name = _("area of competence")
        verbose_name_plural = _("areas of competence")


class ExternalInstitution(Bilingual):
    """The register of competent institutions a case can be referred to [ROUTE-EXTERNAL]."""

    areas = models.ManyToManyField(
        CompetenceArea, verbose_name=_("areas of competence"), blank=True
    )
    phone = PhoneField(_("phone"), blank=True)
    email = EmailAddressField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("external institution")
        verbose_name_plural = _("external institutions")
        ordering = ["name_lv"]
