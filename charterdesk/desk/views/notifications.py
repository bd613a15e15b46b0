"""The employee's notifications of deadline warnings and breaches (charterdesk/notifications)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from charterdesk.desk.views.common import employee_required
from charterdesk.notifications.services import (
    notification_text,
    notifications_for,
    notifications_mark_read,
)

PAGE_SIZE = 100


@employee_required
def notifications(request: HttpRequest) -> HttpResponse:
    """GET: the list, newest first, unread marked; POST: mark one (``id``) or all read."""
    employee = request.employee  # type: ignore[attr-defined]
    if request.method == "POST":
        raw = request.POST.get("id", "")
        ids = [int(raw)] if raw.isdigit() else None
        count = notifications_mark_read(employee=employee, ids=ids)
        if ids is None and count:
            messages.success(
                request,
                ngettext(
                    "%(count)d notification marked read.",
                    "%(count)d notifications marked read.",
                    count,
                )
                % {"count": count},
            )
        return redirect("notifications")
    rows = notifications_for(employee, limit=PAGE_SIZE)
    items = [{"n": n, "text": notification_text(n)} for n in rows]
    context = {
        "items": items,
        "unread": sum(1 for n in rows if n.read_at is None),
        "nav": "notifications",
        "title": _("Notifications"),
    }
    return render(request, "desk/notifications.html", context)
