"""Cases in the admin are read-only: every change goes through the case services (the desk)."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from charterdesk.cases.access import cases_visible_to
from charterdesk.cases.models import Case, CaseEvent, Message
from charterdesk.security.models import ReadKind
from charterdesk.security.readlog import log_read


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

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        # [CONFIDENTIALITY] the admin is a face too: an administrator reads no case by that
        # role, only by their employee profile's rules (cases/access.py).
        return cases_visible_to(request.user, super().get_queryset(request))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        case = self.get_object(request, object_id)
        if case is not None and response.status_code == 200:
            log_read(
                user=request.user,
                kind=ReadKind.CASE,
                object_id=case.pk,
                case_id=case.pk,
                client_id=case.client_id,
                label=case.reference,
                request=request,
                source="admin",
            )
        return response
