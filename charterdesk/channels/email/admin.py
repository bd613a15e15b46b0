"""Received e-mail and its quarantine in the Django admin: administrators see why a message is
held and release it (processed again with the checks lifted) or delete it."""

from __future__ import annotations

from email import policy as email_policy
from email.header import decode_header, make_header
from email.parser import BytesParser
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from charterdesk.channels.email.intake.details import shown
from charterdesk.channels.email.intake.quarantine import (
    QuarantineError,
    inbound_delete,
    inbound_release,
)
from charterdesk.channels.email.intake.store import head_of
from charterdesk.channels.email.models import InboundEmail, InboundState, MailboxFolder


class QuarantineFilter(admin.SimpleListFilter):
    title = _("quarantine")
    parameter_name = "held"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("in quarantine")), ("no", _("not in quarantine"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(state=InboundState.QUARANTINED)
        if self.value() == "no":
            return queryset.exclude(state=InboundState.QUARANTINED)
        return queryset


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "received_at",
        "state",
        "reason",
        "sender",
        "subject",
        "size",
        "source",
        "case_link",
    ]
    list_filter = [QuarantineFilter, "state", "reason", "source"]
    search_fields = ["sender", "subject", "message_id", "sha256"]
    date_hierarchy = "received_at"
    ordering = ["-id"]
    actions = ["release", "delete_held"]
    exclude = ["raw"]
    readonly_fields = [
        "sha256",
        "message_id",
        "size",
        "source",
        "source_ref",
        "envelope",
        "received_at",
        "stored_at",
        "state",
        "reason",
        "detail",
        "sender",
        "subject",
        "case",
        "case_message",
        "duplicate_of",
        "attempts",
        "processed_at",
        "released_at",
        "released_by",
        "info",
        "decoded_headers",
        "text_shown",
        "headers",
    ]
    list_select_related = ["case"]
    change_form_template = "admin/email_channel/inboundemail/change_form.html"

    def get_urls(self) -> list[Any]:
        from django.urls import path

        return [
            path(
                "<int:pk>/release/",
                self.admin_site.admin_view(self.release_one),
                name="email_channel_inboundemail_release",
            ),
            *super().get_urls(),
        ]

    def release_one(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The Release button on a held message's page (POST only), the same service as the
        list's action."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_release_permission(request):
            raise PermissionDenied
        row = get_object_or_404(InboundEmail.objects.defer("raw"), pk=pk)
        self.release(request, InboundEmail.objects.filter(pk=row.pk))
        return redirect(reverse("admin:email_channel_inboundemail_change", args=[pk]))

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> HttpResponse:
        obj = kwargs.get("obj")
        context["can_release"] = bool(
            obj is not None
            and obj.state == InboundState.QUARANTINED
            and self.has_release_permission(request)
        )
        return super().render_change_form(request, context, *args, **kwargs)

    def get_queryset(self, request: HttpRequest) -> QuerySet[InboundEmail]:
        return super().get_queryset(request).defer("raw")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # what arrived is evidence: it is released or deleted, never edited

    @admin.display(description=_("case"))
    def case_link(self, obj: InboundEmail) -> str:
        if not obj.case_id:
            return "—"
        url = reverse("admin:cases_case_change", args=[obj.case_id])
        return format_html(
            '<a href="{}">{}</a>', url, obj.case.reference if obj.case else obj.case_id
        )

    @admin.display(description=_("details"))
    def detail(self, obj: InboundEmail) -> str:
        return shown(obj.error, obj.info)

    @admin.display(description=_("headers (decoded)"))
    def decoded_headers(self, obj: InboundEmail) -> str:
        """Every header field with its encoded words (RFC 2047) decoded, escaped for the page."""
        raw = bytes(InboundEmail.objects.values_list("raw", flat=True).get(pk=obj.pk))
        head = head_of(raw, 64 * 1024)
        try:
            message = BytesParser(policy=email_policy.default).parsebytes(head, headersonly=True)
            lines = []
            for name, value in message.raw_items():
                try:
                    text = str(make_header(decode_header(" ".join(str(value).split()))))
                except Exception:  # a broken encoded word: shown as it came
                    text = " ".join(str(value).split())
                lines.append(f"{name}: {text}")
        except Exception:
            lines = [head.decode("utf-8", "replace")]
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", "\n".join(lines)[:16384])

    @admin.display(description=_("text (shown as plain text)"))
    def text_shown(self, obj: InboundEmail) -> str:
        """The message's text as the parser reads it (HTML turned into text), escaped: nothing of
        the sender's markup, scripts or images is rendered here."""
        from charterdesk.channels.email.parsing.message import ParseError, parse_message

        raw = bytes(InboundEmail.objects.values_list("raw", flat=True).get(pk=obj.pk))
        try:
            text = parse_message(raw[: 2 * 1024 * 1024]).text
        except (ParseError, Exception):
            text = raw[:20000].decode("utf-8", "replace")
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", text[:20000])

    @admin.display(description=_("header lines"))
    def headers(self, obj: InboundEmail) -> str:
        raw = InboundEmail.objects.values_list("raw", flat=True).get(pk=obj.pk)
        text = head_of(bytes(raw), 16 * 1024).decode("utf-8", "replace")
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", text)

    @admin.action(
        description=_("Release the selected messages from quarantine"), permissions=["release"]
    )
    def release(self, request: HttpRequest, queryset: QuerySet[InboundEmail]) -> None:
        done = 0
        for row in queryset:
            try:
                result = inbound_release(inbound=row, by=request.user.get_username())
            except QuarantineError as exc:
                self.message_user(request, str(exc), messages.WARNING)
                continue
            if result.state == InboundState.QUARANTINED:
                self.message_user(
                    request,
                    _("E-mail #%(id)s is still held: %(error)s")
                    % {"id": row.pk, "error": shown(result.error, result.info)},
                    messages.WARNING,
                )
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(n)d message released.", "%(n)d messages released.", done) % {"n": done},
                messages.SUCCESS,
            )

    def has_release_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("email_channel.release_inboundemail")

    @admin.action(
        description=_("Delete the selected messages held in quarantine"), permissions=["delete"]
    )
    def delete_held(self, request: HttpRequest, queryset: QuerySet[InboundEmail]) -> None:
        done = 0
        for row in queryset:
            try:
                inbound_delete(inbound=row)
            except QuarantineError as exc:
                self.message_user(request, str(exc), messages.WARNING)
                continue
            done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(n)d message deleted.", "%(n)d messages deleted.", done) % {"n": done},
                messages.SUCCESS,
            )

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # only held messages may be deleted
        return actions


@admin.register(MailboxFolder)
class MailboxFolderAdmin(admin.ModelAdmin):
    list_display = ["mailbox", "folder", "uidvalidity", "last_uid", "checked_at", "error"]
    readonly_fields = ["mailbox", "folder", "uidvalidity", "last_uid", "checked_at", "error"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
