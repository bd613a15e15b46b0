"""The administrator's side: booking rules per programme, consultants' plans, exceptions, leave.
Appointments are read-only here: they change through the services (pages, links, commands)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from charterdesk.appointments.models import (
    Appointment,
    BookingRule,
    ConsultantException,
    ConsultantLeave,
    ConsultantPlan,
)


@admin.register(BookingRule)
class BookingRuleAdmin(admin.ModelAdmin):
    list_display = [
        "programme",
        "duration_minutes",
        "buffer_before_minutes",
        "buffer_after_minutes",
        "step_minutes",
        "min_notice_minutes",
        "horizon_days",
    ]


@admin.register(ConsultantPlan)
class ConsultantPlanAdmin(admin.ModelAdmin):
    list_display = ["employee", "office", "weekday", "starts", "ends", "valid_from", "valid_until"]
    list_filter = ["office", "weekday"]


@admin.register(ConsultantException)
class ConsultantExceptionAdmin(admin.ModelAdmin):
    list_display = ["employee", "date", "office", "starts", "ends", "note"]
    date_hierarchy = "date"


@admin.register(ConsultantLeave)
class ConsultantLeaveAdmin(admin.ModelAdmin):
    list_display = ["employee", "first_day", "last_day", "reason"]


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "office", "consultant", "programme", "status", "booked_via"]
    list_filter = ["office", "status", "booked_via"]
    date_hierarchy = "starts_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
