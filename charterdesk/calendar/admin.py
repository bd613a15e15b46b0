"""Admin for schedules and national overrides.  Every save or delete goes through
``calendar_changed`` so cached calendars are dropped and open timers are re-computed."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from charterdesk.calendar.models import CalendarOverride, Schedule, ScheduleException, ScheduleHours
from charterdesk.calendar.services import calendar_changed


class _NotifiesChange(admin.ModelAdmin):  # type: ignore[type-arg]
    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        calendar_changed()

    def save_formset(
        self,
        request: HttpRequest,
        form: ModelForm[Any],
        formset: BaseInlineFormSet[Any, Any, Any],
        change: bool,
    ) -> None:
        super().save_formset(request, form, formset, change)
        calendar_changed()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        calendar_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().delete_queryset(request, queryset)
        calendar_changed()


class ScheduleHoursInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ScheduleHours
    extra = 0


class ScheduleExceptionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ScheduleException
    extra = 0


@admin.register(Schedule)
class ScheduleAdmin(_NotifiesChange):
    list_display = ["name", "is_default"]
    inlines = [ScheduleHoursInline, ScheduleExceptionInline]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(_NotifiesChange):
    list_display = ["date", "kind", "name", "replaces"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name"]
