"""Admin: exchanges (with their signing secrets) and lines are configured here; calls, their
events and callbacks are shown read-only (they change only through the services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from charterdesk.channels.phone.models import Call, Callback, CallEvent, Exchange, PhoneLine


@admin.register(Exchange)
class ExchangeAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]


@admin.register(PhoneLine)
class PhoneLineAdmin(admin.ModelAdmin):
    list_display = ["number", "name_lv", "records_calls"]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CallEventInline(admin.TabularInline):
    model = CallEvent
    extra = 0
    can_delete = False
    fields = ("event", "leg", "at", "received_at", "source", "data")
    readonly_fields = ("event", "leg", "at", "received_at", "source", "data")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Call)
class CallAdmin(ReadOnly):
    list_display = ["offered_at", "caller", "line_number", "state", "answered_by"]
    list_filter = ["state", "exchange"]
    search_fields = ["external_id", "caller"]
    inlines = [CallEventInline]


@admin.register(Callback)
class CallbackAdmin(ReadOnly):
    list_display = ["case", "due_at", "made_at", "automatic"]
