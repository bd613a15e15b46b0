"""The auditor's read-only search of the read log: who saw which case, client or attachment; and
the client card in the admin, read-logged like any other view of it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from charterdesk.clients.admin import ClientAdmin
from charterdesk.clients.models import Client
from charterdesk.security.models import ReadKind, ReadLogEntry
from charterdesk.security.readlog import log_read


class ReadLoggedClientAdmin(ClientAdmin):
    """The clients' admin with every client card it shows written to the read log."""

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        client = self.get_object(request, object_id)
        if client is not None and response.status_code == 200 and request.method == "GET":
            log_read(
                user=request.user,
                kind=ReadKind.CLIENT,
                object_id=client.pk,
                client_id=client.pk,
                label=client.name,
                request=request,
                source="admin",
            )
        return response


# security is installed after clients, so the clients' admin is registered by now.
admin.site.unregister(Client)
admin.site.register(Client, ReadLoggedClientAdmin)


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
