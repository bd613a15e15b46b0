"""Closed months: the compliance figures frozen with the policy and calendar they were counted
with, and every explicit recomputation of a closed month."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ClosedPeriod(models.Model):
    """One closed month.  ``cube`` holds the month's aggregate rows (commitment × channel × office
    × programme × employee × team with the counts), so the frozen month can be shown to any reader
    at any split without counting again; ``policy_text`` is the policy file as it was."""

    month = models.CharField(_("month"), max_length=7, unique=True, help_text="YYYY-MM")
    policy_text = models.TextField(_("policy file"))
    policy_sha256 = models.CharField(_("policy SHA-256"), max_length=64)
    policy_name = models.CharField(_("policy file name"), max_length=200)
    calendar_revision = models.PositiveIntegerField(_("calendar revision"))
    cube = models.JSONField(_("figures"), default=list)
    closed_at = models.DateTimeField(_("closed on"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recomputed_at = models.DateTimeField(_("last recomputed"), null=True, blank=True)

    class Meta:
        verbose_name = _("closed month")
        verbose_name_plural = _("closed months")
        ordering = ["-month"]

    def __str__(self) -> str:
        return self.month


class Recomputation(models.Model):
    """An explicit recomputation of a closed month: who, when, why, and what changed."""

    period = models.ForeignKey(
        ClosedPeriod,
        verbose_name=_("month"),
        on_delete=models.CASCADE,
        related_name="recomputations",
    )
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    policy_sha256_before = models.CharField(max_length=64)
    policy_sha256_after = models.CharField(max_length=64)
    calendar_revision_before = models.PositiveIntegerField()
    calendar_revision_after = models.PositiveIntegerField()
    totals_before = models.JSONField(default=dict)
    totals_after = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("recomputation")
        verbose_name_plural = _("recomputations")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.period.month} {self.at:%Y-%m-%d %H:%M}"


class DayCube(models.Model):
    """The aggregate rows of one finished day (Europe/Riga), kept so that a live month or year is
    read from a few hundred stored rows per day instead of counted again from every timer.

    A finished day's figures do not change: a timer due that day is kept, kept by explanation or
    broken for good (a late answer does not mend it).  A cube counted with another policy file
    is not used (``policy_sha256``); ``charterdesk reports cubes --rebuild`` counts days again."""

    day = models.DateField(_("day"), unique=True)
    cube = models.JSONField(_("figures"), default=list)
    policy_sha256 = models.CharField(max_length=64)
    computed_at = models.DateTimeField(_("counted"))

    class Meta:
        verbose_name = _("day's figures")
        verbose_name_plural = _("days' figures")
        ordering = ["-day"]

    def __str__(self) -> str:
        return self.day.isoformat()


class MonthCube(models.Model):
    """A finished month's rows, merged from its days' cubes (same key, counts added): a year is
    read from twelve of these.  Not a closed month: it is not frozen and is rebuilt with its
    days; closing a month (``ClosedPeriod``) is the explicit, recorded act."""

    month = models.CharField(_("month"), max_length=7, unique=True)
    cube = models.JSONField(_("figures"), default=list)
    policy_sha256 = models.CharField(max_length=64)
    computed_at = models.DateTimeField(_("counted"))

    class Meta:
        verbose_name = _("month's figures")
        verbose_name_plural = _("months' figures")
        ordering = ["-month"]

    def __str__(self) -> str:
        return self.month
