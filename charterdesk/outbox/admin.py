"""Outgoing mail is read-only in the admin (it is what the client got); templates are edited here,
checked when saved (unknown variables and syntax errors are refused with the reason)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from charterdesk.outbox.models import MessageTemplate, OutboxMessage, OutboxState
from charterdesk.outbox.services.delivery import outbox_retry
from charterdesk.outbox.templating import variables_help


class MessageTemplateForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = MessageTemplate
        fields = ["name", "kind", "programme", "language", "subject", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16, "cols": 90})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _(
            "Plain text; the identity block is added to every e-mail. Variables: %(vars)s. "
            "Tags: {%% if %%}…{%% endif %%}, {%% firstof %%}, {%% comment %%}."
        ) % {"vars": variables_help()}


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = MessageTemplateForm
    list_display = ["name", "kind", "language", "programme", "is_active", "updated_at"]
    list_filter = ["kind", "language", "is_active", "programme"]
    search_fields = ["name", "subject", "body"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "created_at",
        "case",
        "kind",
        "to",
        "subject",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["state", "kind", "language"]
    search_fields = ["message_id", "to", "case__reference", "subject"]
    list_select_related = ["case"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Try the failed e-mails again now"), permissions=["view"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = 0
        for row in queryset.filter(state=OutboxState.FAILED):
            outbox_retry(outbox=row)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d e-mail will be tried again.",
                "%(count)d e-mails will be tried again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
