"""The read log [CONFIDENTIALITY]: every view of a case, a client card, an attachment and every
export — who, when, what, from where.

Append-only (the model refuses update and delete; only ``readlog.purge`` removes rows, past the
retention period, and it leaves a checkpoint) and tamper-evident: each row carries the hash of the
row before it and its own hash over its fields (``readlog.row_hash``), so a changed, removed or
inserted row breaks the chain at that row (``charterdesk security verify-log``).

The rows name cases and clients by id and reference, not by foreign key: the log outlives what it
names and never cascades.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReadKind(models.TextChoices):
    CASE = "case", _("case")
    CLIENT = "client", _("client card")
    ATTACHMENT = "attachment", _("attachment")
    EXPORT = "export", _("export")
    CHECKPOINT = "checkpoint", _("checkpoint (older rows purged)")


class AppendOnlyError(RuntimeError):
    pass


class ReadLogEntry(models.Model):
    at = models.DateTimeField(_("time"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_constraint=False,  # the row keeps the user name when the account is deleted
        related_name="+",
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    kind = models.CharField(_("what"), max_length=12, choices=ReadKind.choices)
    object_id = models.BigIntegerField(_("object id"), null=True, blank=True)
    case_id = models.BigIntegerField(_("case id"), null=True, blank=True)
    client_id = models.BigIntegerField(_("client id"), null=True, blank=True)
    label = models.CharField(
        _("reference or name"),
        max_length=300,
        blank=True,
        help_text=_("Case reference, file name …"),
    )
    source = models.CharField(
        _("face"), max_length=20, blank=True, help_text=_("desk, admin, api …")
    )
    path = models.CharField(_("address"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    prev_hash = models.CharField(_("hash of the row before"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("read log entry")
        verbose_name_plural = _("read log")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["case_id", "at"], name="readlog_case"),
            models.Index(fields=["client_id", "at"], name="readlog_client"),
            models.Index(fields=["user", "at"], name="readlog_user"),
            models.Index(fields=["at"], name="readlog_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.kind} {self.label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("the read log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("the read log is append-only")
