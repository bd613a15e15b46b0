"""Consultants' plans, booking rules per programme, and the appointments themselves.

Double booking is impossible in the database itself: an appointment's *blocked range* (its time
plus the programme's buffers) may not overlap another live appointment of the same consultant.  On
PostgreSQL that is an exclusion constraint (``btree_gist``) on ``tstzrange(blocked_from,
blocked_until)``; on SQLite two triggers refuse the same rows with the same message (migration
``0002``).  The service turns the refusal into "this time was just taken".
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from charterdesk.calendar.models import Weekday
from charterdesk.cases.models import Case
from charterdesk.directory.models import Employee, Office, Programme

#: The constraint's name; the service recognises the refusal by it (PostgreSQL and SQLite alike).
NO_DOUBLE_BOOKING = "appointment_no_double_booking"


class BookingRule(models.Model):
    """How a programme's consultations are booked: length, buffers, notice and horizon."""

    programme = models.OneToOneField(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="booking_rule",
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("consultation length (minutes)"), default=45
    )
    buffer_before_minutes = models.PositiveSmallIntegerField(
        _("buffer before (minutes)"), default=0
    )
    buffer_after_minutes = models.PositiveSmallIntegerField(_("buffer after (minutes)"), default=15)
    step_minutes = models.PositiveSmallIntegerField(
        _("slot step (minutes)"),
        default=15,
        help_text=_("Consultations may start every this many minutes from the plan's start."),
    )
    min_notice_minutes = models.PositiveIntegerField(
        _("minimum notice (minutes)"),
        default=120,
        help_text=_("The earliest a slot may start after the moment of booking."),
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("booking horizon (days)"),
        default=60,
        help_text=_("How many calendar days ahead a consultation may be booked."),
    )

    class Meta:
        verbose_name = _("booking rule")
        verbose_name_plural = _("booking rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gt=0, step_minutes__gt=0),
                name="booking_rule_positive",
            )
        ]

    def __str__(self) -> str:
        return str(self.programme)


class ConsultantPlan(models.Model):
    """One weekly interval in which a consultant receives clients at one office.

    A consultant may serve several offices on different days (one row each)."""

    employee = models.ForeignKey(
        Employee, verbose_name=_("consultant"), on_delete=models.CASCADE, related_name="plans"
    )
    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.CASCADE, related_name="plans"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("consultant's weekly plan")
        verbose_name_plural = _("consultants' weekly plans")
        ordering = ["employee", "weekday", "starts"]
        indexes = [models.Index(fields=["weekday", "employee"], name="plan_weekday")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts__lt=models.F("ends")), name="plan_starts_before_ends"
            ),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="plan_weekday_range"),
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.office.code} {self.weekday} {self.starts:%H:%M}–{self.ends:%H:%M}"


class PlanRevision(models.Model):
    """One row whose token changes with every saved or deleted plan, exception or leave, so each
    process knows when its cached weekly plans are stale (``selectors``).  A token, not a
    counter: a rolled-back change must not make an old number current again."""

    token = models.CharField(max_length=40)

    def __str__(self) -> str:
        return self.token


class ConsultantException(models.Model):
    """A dated change to a consultant's plan: the rows of a date replace that weekday's plan.

    A row without an office means "not receiving clients that day"."""

    employee = models.ForeignKey(
        Employee,
        verbose_name=_("consultant"),
        on_delete=models.CASCADE,
        related_name="plan_exceptions",
    )
    date = models.DateField(_("date"))
    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.CASCADE, null=True, blank=True
    )
    starts = models.TimeField(_("from"), null=True, blank=True)
    ends = models.TimeField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("consultant's plan exception")
        verbose_name_plural = _("consultants' plan exceptions")
        ordering = ["date"]
        indexes = [models.Index(fields=["date", "employee"], name="plan_exception_date")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(office__isnull=True)
                | models.Q(starts__isnull=False, ends__isnull=False, starts__lt=models.F("ends")),
                name="plan_exception_off_or_hours",
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.date:%Y-%m-%d}"


class ConsultantLeave(models.Model):
    """Leave (or illness, training): no consultations from the first to the last day."""

    employee = models.ForeignKey(
        Employee, verbose_name=_("consultant"), on_delete=models.CASCADE, related_name="leaves"
    )
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("leave")
        verbose_name_plural = _("leaves")
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_day__lte=models.F("last_day")),
                name="leave_first_before_last",
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.first_day:%Y-%m-%d}–{self.last_day:%Y-%m-%d}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("booked")
    CANCELLED = "cancelled", _("cancelled")
    NO_SHOW = "no_show", _("did not come")
    DONE = "done", _("finished")


class BookedVia(models.TextChoices):
    DESK = "desk", _("by an employee from a case")
    PHONE = "phone", _("by phone")
    FORM = "form", _("booking form")
    PORTAL = "portal", _("client portal")
    WALK_IN = "walk_in", _("walk-in")


class Appointment(models.Model):
    """A consultation at an office [OFFICE-BOOKING], or a walk-in visit; always on a case."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="appointments"
    )
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="+"
    )
    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="appointments"
    )
    consultant = models.ForeignKey(
        Employee,
        verbose_name=_("consultant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        db_index=False,
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    # The time kept free around the consultation (the programme's buffers); the constraint's range.
    blocked_from = models.DateTimeField()
    blocked_until = models.DateTimeField()
    status = models.CharField(
        _("status"), max_length=10, choices=AppointmentStatus.choices, default="booked"
    )
    booked_via = models.CharField(_("booked"), max_length=10, choices=BookedVia.choices)
    booked_by = models.ForeignKey(
        Employee,
        verbose_name=_("booked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    topic = models.CharField(_("topic"), max_length=300)
    help_wanted = models.TextField(_("help wanted"), blank=True)
    special_needs = models.TextField(
        _("special needs"), blank=True, help_text=_("[CLIENT-SPECIAL-NEEDS]")
    )
    needs_identity_document = models.BooleanField(
        _("identity document needed"), default=False, help_text=_("[CLIENT-ID]")
    )
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    contact_email = models.CharField(_("contact e-mail"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=2, default="lv")
    uid = models.CharField(_("calendar UID"), max_length=200, unique=True)
    sequence = models.PositiveIntegerField(
        _("calendar sequence"), default=0, help_text=_("Raised on every material change.")
    )
    created_at = models.DateTimeField(_("booked at"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    arrived_at = models.DateTimeField(_("arrived"), null=True, blank=True)
    late_notice_at = models.DateTimeField(_("late notice received"), null=True, blank=True)
    late_minutes = models.PositiveSmallIntegerField(_("late by (minutes)"), null=True, blank=True)
    identity_checked_at = models.DateTimeField(_("identity checked"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    no_show_at = models.DateTimeField(_("marked as not come"), null=True, blank=True)
    reminder_due_at = models.DateTimeField(_("reminder due"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["office", "starts_at"], name="appointment_office_day"),
            models.Index(fields=["consultant", "blocked_from"], name="appointment_consultant"),
            models.Index(
                fields=["reminder_due_at"],
                condition=models.Q(reminder_sent_at__isnull=True, status="booked"),
                name="appointment_reminder_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at"))
                & models.Q(blocked_from__lte=models.F("starts_at"))
                & models.Q(blocked_until__gte=models.F("ends_at")),
                name="appointment_times_in_order",
            ),
            models.CheckConstraint(
                condition=~models.Q(contact_phone="") | ~models.Q(contact_email=""),
                name="appointment_has_contact",
                violation_error_message=_("Give a phone number or an e-mail address."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office.code} {self.starts_at:%Y-%m-%d %H:%M} {self.topic}"

    @property
    def is_live(self) -> bool:
        return self.status == AppointmentStatus.BOOKED

    @property
    def walk_in(self) -> bool:
        return self.booked_via == BookedVia.WALK_IN

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at


class DayLoad(models.Model):
    """A consultant's live blocked time per UTC day (days since 1970-01-01, of ``blocked_from``),
    kept by database triggers on every insert, update and delete of an appointment (migration
    ``0005``), so the slot search can pass over days that are booked full without reading their
    bookings (``loads.py``).

    ``blocked_seconds`` is the sum of the live ranges' lengths, each rounded down to whole seconds
    (the ranges of one consultant never overlap: ``0002_no_double_booking``), changed by deltas, so
    concurrent bookings add up.  ``span_from`` / ``span_until`` hold every live range of the day
    (epoch seconds, rounded outwards): a booking widens them, a cancellation leaves them, they
    restart when the day had none left.  Not written by the application."""

    consultant = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.IntegerField()
    blocked_seconds = models.BigIntegerField(default=0)
    live = models.IntegerField(default=0)  # how many live ranges: the span restarts at zero
    span_from = models.BigIntegerField()
    span_until = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "consultant"], name="day_load_day_consultant")
        ]

    def __str__(self) -> str:
        return f"{self.consultant_id} {self.day} {self.blocked_seconds}"


class LinkUse(models.Model):
    """A client's signed link (move, cancel, late) that was used: it works once."""

    nonce = models.CharField(max_length=40, unique=True)
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="link_uses")
    purpose = models.CharField(max_length=10)
    used_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.purpose} {self.nonce}"
