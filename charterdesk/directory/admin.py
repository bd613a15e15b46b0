from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from charterdesk.calendar.services import calendar_changed
from charterdesk.core.display import shown_phone
from charterdesk.directory.models import (
    CompetenceArea,
    Employee,
    ExternalInstitution,
    Institution,
    Office,
    Programme,
    Team,
)


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name_lv", "short_name", shown_phone, "general_email"]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name_lv", "code", "address", shown_phone, "email", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name_lv", "name_en", "address", "code"]

    def save_model(self, request: HttpRequest, obj: Office, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if "schedule" in form.changed_data:
            # The office's open timers now run on another calendar.
            calendar_changed()


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = [
        "name_lv",
        "code",
        "category",
        "apply_via",
        "needs_identity_document",
        "is_active",
    ]
    list_filter = ["category", "apply_via", "is_active"]
    search_fields = ["name_lv", "name_en", "code"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name_lv", "lead"]


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = [
        "surname",
        "first_name",
        "position_lv",
        "team",
        shown_phone,
        "email",
        "is_active",
    ]
    list_filter = ["team", "is_active", "offices", "competences"]
    search_fields = ["first_name", "surname", "email"]
    filter_horizontal = ["offices", "competences"]
    autocomplete_fields = ["user"]


@admin.register(CompetenceArea)
class CompetenceAreaAdmin(admin.ModelAdmin):
    search_fields = ["name_lv", "name_en"]


@admin.register(ExternalInstitution)
class ExternalInstitutionAdmin(admin.ModelAdmin):
    list_display = ["name_lv", shown_phone, "email", "website", "is_active"]
    list_filter = ["areas", "is_active"]
    search_fields = ["name_lv", "name_en"]
    filter_horizontal = ["areas"]


admin.site.site_header = _("charterdesk administration")
admin.site.site_title = _("charterdesk")
