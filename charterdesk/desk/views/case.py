"""The case page: timeline, client card, attachments, notes, the reply composer and the actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from charterdesk.calendar import get_calendar
from charterdesk.cases.access import may_change, may_reassign
from charterdesk.cases.models import Attachment, Case, CaseEvent, Direction
from charterdesk.cases.selectors import case_detail, case_links, case_timeline
from charterdesk.cases.status import ACTIVE, TRANSITIONS, Status
from charterdesk.desk import compose
from charterdesk.desk import forms as desk_forms
from charterdesk.desk.drafts import draft_get
from charterdesk.desk.selectors import (
    case_attachments,
    client_other_cases,
    institutions,
    transfer_candidates,
)
from charterdesk.desk.sentences import describe
from charterdesk.desk.services.seen import case_seen
from charterdesk.desk.timers import time_left
from charterdesk.desk.views.common import employee_required
from charterdesk.directory.models import Employee
from charterdesk.security.models import ReadKind
from charterdesk.security.readlog import log_read

FORM_CLASSES: dict[str, type[desk_forms.ActionForm]] = {
    "reply": desk_forms.ReplyForm,
    "note": desk_forms.NoteForm,
    "assign": desk_forms.AssignForm,
    "transfer": desk_forms.TransferForm,
    "refer": desk_forms.ReferForm,
    "decline": desk_forms.DeclineForm,
    "promise": desk_forms.PromiseForm,
    "mistake": desk_forms.MistakeForm,
    "delay": desk_forms.DelayForm,
    "resolve": desk_forms.ResolveForm,
    "close": desk_forms.CloseForm,
    "reopen": desk_forms.ReopenForm,
    "confidential": desk_forms.ConfidentialForm,
}

# Events already visible as their message on the timeline.
MESSAGE_EVENTS = frozenset(
    {"message.received", "message.sent", "note.added", "reply.sent", "ack.sent", "delay.explained"}
)


def load_case(pk: int, who: Any) -> Case:
    """The case if ``who`` may see it; otherwise 404, as if it did not exist (cases/access.py)."""
    return case_detail(pk, who=who)


def available_actions(case: Case, who: Any = None) -> set[str]:
    """The actions the case's status allows and ``who`` may take (the rest are not offered)."""
    if who is not None and not may_change(who, case):
        return set()
    status = Status(case.status)
    allowed = TRANSITIONS[status]
    actions = {"note", "mistake", "confidential"}
    if status is not Status.CLOSED:
        actions.add("reply")
    if status in ACTIVE:
        actions |= {"assign", "transfer", "promise", "delay"}
    if Status.REFERRED in allowed:
        actions.add("refer")
    if Status.DECLINED in allowed:
        actions.add("decline")
    if Status.RESOLVED in allowed:
        actions.add("resolve")
    if Status.CLOSED in allowed:
        actions.add("close")
    if status in (Status.REFERRED, Status.DECLINED, Status.RESOLVED, Status.CLOSED):
        actions.add("reopen")
    if who is not None and not may_reassign(who, case):
        actions -= {"assign", "transfer", "confidential"}
    return actions


def last_event_id(case: Case) -> int:
    return max((e.pk for e in case.events.all()), default=0)


def build_forms(
    case: Case,
    employee: Employee,
    candidates: list[Employee],
    register: list[Any],
    bound: dict[str, forms.Form] | None = None,
    now: Any = None,
) -> dict[str, forms.Form]:
    """One form per action, unbound with the page's version, except those given in ``bound``."""
    bound = bound or {}
    now = now or timezone.now()
    base = {"version": case.version, "seen_event": last_event_id(case)}
    kw: dict[str, Any] = {"case": case, "employee": employee}
    due = desk_forms.default_promise_time(
        now, get_calendar(case.office if case.office_id else None)
    )
    templates = [(str(t.pk), compose.template_label(t)) for t in compose.reply_templates(case)]
    draft = draft_get(employee=employee, case=case)
    initial: dict[str, dict[str, Any]] = {
        # The reply typed earlier (another tab, a reload, another computer) comes back.
        "reply": {"body": draft.body} if draft is not None else {},
        "assign": {"to": employee.pk},
        "promise": {
            "due": timezone.localtime(due),
            "message": desk_forms.promise_message(case, due),
        },
        "confidential": {
            "confidential": case.confidential,
            "named": [e.pk for e in case.named.all()],
        },
    }
    extra: dict[str, dict[str, Any]] = {
        "reply": {"templates": templates},
        "assign": {"candidates": candidates},
        "transfer": {"candidates": candidates},
        "confidential": {"candidates": candidates},
        "refer": {"register": register},
    }
    made: dict[str, forms.Form] = {}
    for name, form_class in FORM_CLASSES.items():
        made[name] = form_class(
            initial={**base, **initial.get(name, {})}, prefix=name, **kw, **extra.get(name, {})
        )
    made.update(bound)
    return made


def timeline_items(case: Case) -> list[dict[str, Any]]:
    """Messages and events in time order; at the same moment the event comes first (the case is
    opened, then the client's message shows)."""
    items = []
    for item in case_timeline(case):
        if isinstance(item, CaseEvent):
            if item.type in MESSAGE_EVENTS:
                continue
            items.append({"kind": "event", "event": item, "text": describe(item), "at": item.at})
        else:
            items.append({"kind": "message", "message": item, "at": item.created_at})
    items.sort(key=lambda i: (i["at"], i["kind"] == "message"))
    return items


def render_case(
    request: HttpRequest,
    case: Case,
    *,
    bound: dict[str, forms.Form] | None = None,
    open_action: str = "",
    changed: list[CaseEvent] | None = None,
    preview: compose.IdentityPreview | None = None,
    preview_body: str = "",
    status: int = 200,
) -> HttpResponse:
    employee: Employee = request.employee  # type: ignore[attr-defined]
    now = timezone.now()
    candidates = transfer_candidates(case)
    register = institutions()
    all_forms = build_forms(case, employee, candidates, register, bound, now)
    notes = [m for m in case.messages.all() if m.direction == Direction.INTERNAL]
    links_out, links_in = case_links(case)
    context = {
        "case": case,
        "links_out": links_out,
        "links_in": links_in,
        "client": case.client,
        "timeline": timeline_items(case),
        "other_cases": client_other_cases(case, who=request.user),
        "attachments": case_attachments(case),
        "notes": notes,
        "forms": all_forms,
        "actions": available_actions(case, request.user),
        "open_action": open_action,
        "changed": [{"at": e.at, "actor": e.actor, "text": describe(e)} for e in changed]
        if changed is not None
        else None,
        "timer": time_left([case], now).get(case.pk),
        "preview": preview,
        "preview_body": preview_body,
        "identity": compose.identity_preview(employee=employee, language=case.language),
        "delivery": all_forms["reply"].chosen_delivery().value,  # type: ignore[attr-defined]
        "reply_subject": compose.reply_subject(case),
        "competent_count": sum(1 for c in candidates if getattr(c, "competent", False)),
    }
    # [CONFIDENTIALITY] the page shows the case and its client card: one read-log row names both.
    log_read(
        user=request.user,
        kind=ReadKind.CASE,
        object_id=case.pk,
        case_id=case.pk,
        client_id=case.client_id,
        label=case.reference,
        request=request,
    )
    return render(request, "desk/case.html", context, status=status)


@employee_required
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    case = load_case(pk, request.user)
    # "New since you last looked" in the inbox (desk/services/seen.py).
    case_seen(employee=request.employee, cases=[case])  # type: ignore[attr-defined]
    return render_case(request, case)


@employee_required
def attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    case = load_case(pk, request.user)
    item = get_object_or_404(Attachment, pk=attachment_id, message__case_id=case.pk)
    log_read(
        user=request.user,
        kind=ReadKind.ATTACHMENT,
        object_id=item.pk,
        case_id=case.pk,
        client_id=case.client_id,
        label=item.filename,
        request=request,
    )
    content_type = (item.content_type or "").split(";")[0].strip().lower()
    inline = request.GET.get("inline") == "1" and content_type in PREVIEWABLE
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=not inline,
        filename=item.filename,
        # Anything not previewed is a download of an opaque file: the browser never renders it.
        content_type=content_type if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    if inline:
        # Shown in the page's frame or tab, but with no scripts, forms or same-origin access.
        response["Content-Security-Policy"] = (
            "sandbox; default-src 'none'; img-src 'self'; object-src 'self'"
        )
    return response


# Types the browser shows itself without running anything of the sender's (images, PDF).
PREVIEWABLE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})
