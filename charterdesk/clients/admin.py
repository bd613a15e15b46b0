from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from charterdesk.clients.models import Client
from charterdesk.core.display import shown_phone
from charterdesk.security.models import ReadKind
from charterdesk.security.readlog import log_read


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "email", shown_phone, "language", "preferred_channel"]
    list_filter = ["kind", "language", "preferred_channel"]
    search_fields = ["name", "email", "phone", "registration_number"]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        client = self.get_object(request, object_id)
        if client is not None and response.status_code == 200 and request.method == "GET":
            # [CONFIDENTIALITY] a client card seen in the admin is a read like any other.
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
