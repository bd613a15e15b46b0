from django.contrib import admin

from charterdesk.clients.models import Client
from charterdesk.core.display import shown_phone


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "email", shown_phone, "language", "preferred_channel"]
    list_filter = ["kind", "language", "preferred_channel"]
    search_fields = ["name", "email", "phone", "registration_number"]
