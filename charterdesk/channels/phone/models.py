"""Calls as the exchange reports them: a vendor-neutral model of raw moments.

``CallEvent`` rows are what an exchange said, one per (call, event, leg) — a second delivery of the
same event changes nothing.  ``Call`` and ``CallLeg`` hold the moments folded from those rows
(earliest offer, each leg's first alerting, the answer, the end …), recomputed from all rows on every
event, so the order the events arrive in does not matter.  Rings are never stored: they are derived
from the alerting seconds with the policy's ring cycle (``rings.py``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from charterdesk.cases.models import Case
from charterdesk.clients.models import Client
from charterdesk.core.fields import PhoneField
from charterdesk.directory.models import Employee


class Exchange(models.Model):
    """A telephone exchange allowed to report calls; it signs each request with its secret."""

    name = models.SlugField(_("name"), max_length=50, unique=True)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        help_text=_("Shared with the exchange: it signs every call event with HMAC-SHA256."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("telephone exchange")
        verbose_name_plural = _("telephone exchanges")

    def __str__(self) -> str:
        return self.name


class PhoneLine(models.Model):
    """A number clients call (the general line, the portal support line, a direct number)."""

    number = PhoneField(_("number"), unique=True)
    name_lv = models.CharField(_("name (Latvian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    records_calls = models.BooleanField(
        _("calls are recorded"),
        default=False,
        help_text=_(
            "The exchange plays the recording notice on this line [CALL-RECORDING-NOTICE]; the "
            "screen pop reminds the employee that the call is recorded."
        ),
    )

    class Meta:
        verbose_name = _("phone line")
        verbose_name_plural = _("phone lines")
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number

    def name(self, language: str = "lv") -> str:
        return self.name_en if language.startswith("en") and self.name_en else self.name_lv


class CallState(models.TextChoices):
    OFFERED = "offered", _("offered")
    QUEUED = "queued", _("waiting in the queue")
    RINGING = "ringing", _("ringing")
    ANSWERED = "answered", _("in conversation")
    COMPLETED = "completed", _("answered, ended")
    MISSED = "missed", _("not answered")
    ABANDONED = "abandoned", _("caller hung up")
    VOICEMAIL = "voicemail", _("voicemail")


ENDED_UNANSWERED = (CallState.MISSED, CallState.ABANDONED, CallState.VOICEMAIL)


class Call(models.Model):
    exchange = models.ForeignKey(Exchange, on_delete=models.PROTECT, related_name="calls")
    external_id = models.CharField(_("call id at the exchange"), max_length=200)
    line_number = models.CharField(_("line"), max_length=40, blank=True)
    line = models.ForeignKey(
        PhoneLine, verbose_name=_("line"), on_delete=models.SET_NULL, null=True, blank=True
    )
    caller_raw = models.CharField(_("caller as reported"), max_length=80, blank=True)
    caller = models.CharField(_("caller"), max_length=20, blank=True, db_index=True)  # E.164
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.SET_NULL, null=True, blank=True
    )
    queue = models.CharField(_("queue"), max_length=80, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=CallState.choices, default=CallState.OFFERED
    )
    offered_at = models.DateTimeField(_("offered"), db_index=True)
    queued_at = models.DateTimeField(_("entered the queue"), null=True, blank=True)
    first_alert_at = models.DateTimeField(_("first phone rang"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_leg = models.CharField(max_length=80, blank=True)
    answered_extension = models.CharField(_("answered at extension"), max_length=20, blank=True)
    answered_by = models.ForeignKey(
        Employee,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answered_calls",
    )
    transferred_at = models.DateTimeField(_("transferred"), null=True, blank=True)
    voicemail_at = models.DateTimeField(_("voicemail"), null=True, blank=True)
    abandoned_at = models.DateTimeField(_("caller hung up"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    recordings = models.JSONField(_("recording links"), default=list, blank=True)
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
    )
    callback_case = models.ForeignKey(
        Case,
        verbose_name=_("callback case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="callback_calls",
    )
    note_written_at = models.DateTimeField(_("call note written"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-offered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["exchange", "external_id"], name="call_unique_id")
        ]

    def __str__(self) -> str:
        return f"{self.exchange_id}:{self.external_id}"

    @property
    def ended(self) -> bool:
        return self.ended_at is not None or self.abandoned_at is not None

    @property
    def alerting_end(self) -> datetime | None:
        """When the caller stopped hearing the ringing tone."""
        candidates = [m for m in (self.answered_at, self.abandoned_at, self.voicemail_at) if m]
        if candidates:
            return min(candidates)
        return self.ended_at


class CallLeg(models.Model):
    """One phone the call rang at (an extension); a queue may ring several in turn."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="legs")
    leg = models.CharField(max_length=80)
    extension = models.CharField(_("extension"), max_length=20, blank=True, db_index=True)
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.SET_NULL, null=True, blank=True
    )
    alerting_at = models.DateTimeField(_("started ringing"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    end_reason = models.CharField(_("reason"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("call leg")
        verbose_name_plural = _("call legs")
        ordering = ["alerting_at", "id"]
        constraints = [models.UniqueConstraint(fields=["call", "leg"], name="leg_unique")]

    def __str__(self) -> str:
        return f"{self.call_id}/{self.leg}"


class CallEvent(models.Model):
    """What the exchange reported, exactly once per (call, event, leg)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    event = models.CharField(_("event"), max_length=20)
    leg = models.CharField(max_length=80, blank=True)
    at = models.DateTimeField(_("moment at the exchange"))
    received_at = models.DateTimeField(_("received"))
    source = models.CharField(_("source"), max_length=20, default="api")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("call event")
        verbose_name_plural = _("call events")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "event", "leg"], name="call_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.call_id} {self.event} {self.leg}"


class Callback(models.Model):
    """A callback owed to a caller [PHONE-ONE-CONTACT]: promised on the call, or owed by itself
    for a missed or abandoned call."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="callbacks")
    call = models.ForeignKey(
        Call, on_delete=models.SET_NULL, null=True, blank=True, related_name="callbacks"
    )
    promised_at = models.DateTimeField(_("promised at"))
    due_at = models.DateTimeField(_("call back by"))
    automatic = models.BooleanField(_("for a missed call"), default=False)
    promised_by = models.ForeignKey(
        Employee,
        verbose_name=_("promised by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    made_at = models.DateTimeField(_("called back"), null=True, blank=True)
    made_by = models.ForeignKey(
        Employee,
        verbose_name=_("called back by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} by {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def kept(self) -> bool | None:
        if self.made_at is None:
            return None
        return self.made_at <= self.due_at


class CallSample(models.Model):
    """A team lead's check of one call: was the greeting given, was the answer complete
    [PHONE-IDENTIFY] (signalling cannot hear words, so this is measured by sampling)."""

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="sample")
    by = models.ForeignKey(Employee, verbose_name=_("checked by"), on_delete=models.PROTECT)
    greeting_given = models.BooleanField(_("greeting given"))
    answer_complete = models.BooleanField(_("answer complete"))
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("checked at"))

    class Meta:
        verbose_name = _("call sample")
        verbose_name_plural = _("call samples")

    def __str__(self) -> str:
        return f"sample of {self.call_id}"
