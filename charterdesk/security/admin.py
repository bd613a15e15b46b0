"""The auditor's read-only search of the read log: who saw which case, client or attachment."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from charterdesk.security.models import ReadLogEntry


@admin.register(ReadLogEntry)
class ReadLogAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["at", "username", "kind", "label", "case_id", "client_id", "source", "ip"]
    list_filter = ["kind", "source", ("at", admin.DateFieldListFilter)]
    search_fields = ["=username", "=label", "=case_id", "=client_id", "=ip"]
    date_hierarchy = "at"
    show_full_result_count = False  # a count of millions of rows on every page is not needed
    readonly_fields = [f.name for f in ReadLogEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
