"""Read-only views of timers (the engine writes them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from charterdesk.sla.models import Timer


@admin.register(Timer)
class TimerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["case", "commitment_id", "status", "started_at", "due_at", "met_at", "kept_by"]
    list_filter = ["commitment_id", "status", "kept_by"]
    search_fields = ["case__reference"]
    date_hierarchy = "started_at"
    list_select_related = ["case"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
