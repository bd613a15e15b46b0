from django.contrib import admin

from charterdesk.clients.models import Client


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "email", "phone", "language", "preferred_channel"]
    list_filter = ["kind", "language", "preferred_channel"]
    search_fields = ["name", "email", "phone", "registration_number"]
