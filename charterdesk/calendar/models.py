"""Working schedules and calendar overrides, stored so an administrator can edit them.

The arithmetic lives in pure modules of this package; these rows only feed it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Schedule(models.Model):
    """Weekly working hours: the institution-wide default, or an office's own."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_default = models.BooleanField(
        _("institution-wide default"),
        default=False,
        help_text=_("Used for offices without a schedule of their own and for remote channels."),
    )

    class Meta:
        verbose_name = _("working schedule")
        verbose_name_plural = _("working schedules")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_schedule",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ScheduleHours(models.Model):
    """One opening interval on one weekday; a weekday may have several (a lunch break)."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens__lt=models.F("closes")), name="hours_opens_before_closes"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class ScheduleException(models.Model):
    """A dated exception to a schedule: closed, or other hours on that date."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField(_("date"))
    closed = models.BooleanField(_("closed all day"), default=False)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("schedule exception")
        verbose_name_plural = _("schedule exceptions")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "date"], name="one_exception_per_day"),
            models.CheckConstraint(
                condition=models.Q(closed=True)
                | models.Q(opens__isnull=False, closes__isnull=False, opens__lt=models.F("closes")),
                name="exception_closed_or_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.note}"


class DayKind(models.TextChoices):
    """The same values as :class:`charterdesk.calendar.kinds.DayKind` (the arithmetic's)."""

    HOLIDAY = "holiday", _("public holiday")  # no work; the working day before it is shortened
    DAY_OFF = "day_off", _("day off (moved working day)")  # no work, no shortening before it
    WORKING = "working", _("working day")  # e.g. a Saturday worked in exchange for a moved day off
    SHORTENED = "shortened", _("shortened working day")  # one hour shorter (Labour Law, s. 135)


class CalendarOverride(models.Model):
    """A national calendar change the `holidays` package does not know yet (Cabinet orders).

    Saved through the admin (or ``charterdesk.calendar.services``), which re-computes open
    timers."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)
    replaces = models.DateField(
        _("in exchange for"),
        null=True,
        blank=True,
        help_text=_(
            "For a working Saturday: the working day moved onto it. The Saturday gets that day's "
            "hours, and is shortened if that day was the eve of a public holiday."
        ),
    )

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(replaces__isnull=True) | models.Q(kind="working"),
                name="override_replaces_only_for_working",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"


class CalendarRevision(models.Model):
    """One row counting changes to schedules and overrides, so every process can tell that its
    cached calendars are stale (``charterdesk.calendar.get_calendar``)."""

    number = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar revision")
        verbose_name_plural = _("calendar revisions")

    def __str__(self) -> str:
        return str(self.number)
