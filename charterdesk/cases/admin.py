"""Cases in the admin are read-only: every change goes through the case services (the desk)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from charterdesk.cases.models import Case, CaseEvent, Message


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ["created_at", "direction", "kind", "channel", "author", "sender", "subject"]


class EventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ["at", "type", "actor", "params"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "subject",
        "client",
        "programme",
        "channel",
        "status",
        "assignee",
        "next_due_at",
    ]
    list_filter = ["status", "channel", "programme", "office"]
    search_fields = ["reference"]
    list_select_related = ["client", "programme", "assignee"]
    inlines = [MessageInline, EventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
