"""Case actions: each is a form posted to its own URL, calling one case service.

Success redirects to the case page (post/redirect/get).  A refused action re-renders the page with
the employee's input kept and the reason beside the form.  A change made meanwhile by someone else
([optimistic locking] ``ConcurrentChange``) shows what changed and keeps the input, with the form
now carrying the new version, so sending again is a deliberate second click.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from charterdesk.cases import services
from charterdesk.cases.access import ActionNotAllowed, require_change, require_reassign
from charterdesk.cases.errors import CaseError, ConcurrentChange, IllegalTransition, MissingReasons
from charterdesk.cases.models import Case
from charterdesk.cases.services import AttachmentData
from charterdesk.cases.status import Status
from charterdesk.desk import compose
from charterdesk.desk import forms as desk_forms
from charterdesk.desk.compose import delivery_done
from charterdesk.desk.drafts import draft_discard
from charterdesk.desk.models import DraftKind
from charterdesk.desk.selectors import events_after, institutions, transfer_candidates
from charterdesk.desk.views.case import available_actions, load_case, render_case
from charterdesk.desk.views.common import employee_required, is_htmx
from charterdesk.directory.models import Employee, ExternalInstitution

Handler = Callable[[forms.Form, Case, Employee, int], str]


def _assign(form: forms.Form, case: Case, by: Employee, version: int) -> str:
    to = form.cleaned_data["to"]
    services.case_assign(case=case, to=to, by=by, expected_version=version)
    return _("The case is now with %(name)s.") % {"name": to.full_name}


def _transfer(form: forms.Form, case: Case, by: Employee, version: int) -> str:
    to = form.cleaned_data["to"]
    services.case_transfer(
        case=case, to=to, by=by, note=form.cleaned_data["note"], expected_version=version
    )
    return _("Transferred to %(name)s.") % {"name": to.full_name}


def _refer(form: forms.Form, case: Case, by: Employee, version: int) -> str:
    institution = form.cleaned_data["institution"]
    sent = services.case_refer(
        case=case,
        institution=institution,
        by=by,
        message_to_client=form.cleaned_data["message_to_client"],
        expected_version=version,
        delivery=form.cleaned_data["delivery"],
    )
    english = (get_language() or "lv").startswith("en")
    name = institution.name_en if english else institution.accusative_lv()
    return _("Referred to %(name)s.") % {"name": name} + " " + delivery_done(sent)


def _decline(form: forms.Form, case: Case, by: Employee, version: int) -> str:
    sent = services.case_decline(
        case=case,
        by=by,
        reasons=form.cleaned_data["reasons"],
        expected_version=version,
        delivery=form.cleaned_data["delivery"],
    )
    return _("Declined with the reasons.") + " " + delivery_done(sent)


def _promise(form: forms.Form, case: Case, by: Employee, version: int) -> str:
    promised = services.case_promise(
        case=case,
        by=by,
        due=form.cleaned_data["due"],
        message=form.cleaned_data["message"],
        expected_version=version,
        delivery=form.cleaned_data["delivery"],
    )
    sent = promised.messages.filter(kind="estimate").order_by("-created_at", "-id").first()
    return _("The date was promised.") + (" " + delivery_done(sent) if sent else "")


def _mistake(form: forms.Form, case: Case, by: Employee, version: int) -> str:
    sent = services.case_record_mistake(
        case=case,
        by=by,
        description=form.cleaned_data["description"],
        apology=form.cleaned_data["apology"],
        correction=form.cleaned_data["correction"],
        expected_version=version,
        delivery=form.cleaned_data["delivery"],
    )
    return _("The mistake was recorded.") + " " + delivery_done(sent)


def _delay(form: forms.Form, case: Case, by: Employee, version: int) -> str:
    sent = services.case_explain_delay(
        case=case,
        by=by,
        body=form.cleaned_data["body"],
        expected_version=version,
        delivery=form.cleaned_data["delivery"],
    )
    return _("The reasons for the delay were recorded.") + " " + delivery_done(sent)


def _resolve(form: forms.Form, case: Case, by: Employee, version: int) -> str:
    services.case_resolve(
        case=case, by=by, summary=form.cleaned_data["summary"], expected_version=version
    )
    return _("The case is resolved.")


def _close(form: forms.Form, case: Case, by: Employee, version: int) -> str:
    services.case_close(case=case, by=by, expected_version=version)
    return _("The case is closed.")


def _reopen(form: forms.Form, case: Case, by: Employee, version: int) -> str:
    services.case_reopen(
        case=case, by=by, reason=form.cleaned_data["reason"], expected_version=version
    )
    return _("The case is open again.")


def _note(form: forms.Form, case: Case, by: Employee, version: int) -> str:
    services.case_add_note(
        case=case, by=by, body=form.cleaned_data["body"], expected_version=version
    )
    return _("The note was added.")


def _reply(form: forms.Form, case: Case, by: Employee, version: int) -> str:
    files = form.cleaned_data.get("attachments") or []
    body = form.cleaned_data["body"].strip()
    with transaction.atomic():  # the draft goes with the sending, not before it
        sent = _send_reply(form, case, by, version, body, files)
        draft_discard(employee=by, case=case, kind=DraftKind.REPLY)
    return delivery_done(sent)


def _send_reply(
    form: forms.Form, case: Case, by: Employee, version: int, body: str, files: list[Any]
) -> Any:
    return services.case_reply(
        case=case,
        by=by,
        body=body,
        expected_version=version,
        delivery=form.cleaned_data["delivery"],
        attachments=[
            AttachmentData(
                filename=f.name,
                content_type=f.content_type or "application/octet-stream",
                content=f.read(),
            )
            for f in files
        ],
    )


def _confidential(form: forms.Form, case: Case, by: Employee, version: int) -> str:
    confidential = form.cleaned_data["confidential"]
    services.case_set_confidential(
        case=case,
        by=by,
        confidential=confidential,
        named=list(form.cleaned_data["named"]),
        expected_version=version,
    )
    if confidential:
        return _("The case is confidential: only its team and the colleagues named see it.")
    return _("The case is no longer confidential.")


HANDLERS: dict[str, tuple[type[desk_forms.ActionForm], Handler, str]] = {
    "assign": (desk_forms.AssignForm, _assign, "to"),
    "transfer": (desk_forms.TransferForm, _transfer, "to"),
    "refer": (desk_forms.ReferForm, _refer, "message_to_client"),
    "decline": (desk_forms.DeclineForm, _decline, "reasons"),
    "promise": (desk_forms.PromiseForm, _promise, "due"),
    "mistake": (desk_forms.MistakeForm, _mistake, "apology"),
    "delay": (desk_forms.DelayForm, _delay, "body"),
    "resolve": (desk_forms.ResolveForm, _resolve, "summary"),
    "close": (desk_forms.CloseForm, _close, ""),
    "reopen": (desk_forms.ReopenForm, _reopen, "reason"),
    "note": (desk_forms.NoteForm, _note, "body"),
    "reply": (desk_forms.ReplyForm, _reply, "body"),
    "confidential": (desk_forms.ConfidentialForm, _confidential, "confidential"),
}


def make_form(
    action: str, case: Case, employee: Employee, data: Any, files: Any = None
) -> desk_forms.ActionForm:
    form_class = HANDLERS[action][0]
    kw: dict[str, Any] = {"case": case, "employee": employee}
    if action in ("assign", "transfer", "confidential"):
        kw["candidates"] = transfer_candidates(case)
    elif action == "refer":
        kw["register"] = institutions()
    elif action == "reply":
        kw["templates"] = [
            (str(t.pk), compose.template_label(t)) for t in compose.reply_templates(case)
        ]
    return form_class(data, files, prefix=action, **kw)


def error_text(exc: CaseError) -> str:
    if isinstance(exc, IllegalTransition):
        try:
            current = Status(exc.current).label
            target = Status(exc.target).label
        except ValueError:
            return str(exc)
        return _("The case is “%(current)s”; it cannot become “%(target)s” now.") % {
            "current": current,
            "target": target,
        }
    if isinstance(exc, MissingReasons):
        return _("A decline needs the justified reasons for the client. Nothing was declined.")
    return str(exc)


def _refusal(case: Case, who: Any, action: str) -> str:
    """Why ``who`` may not take ``action`` on the case they see (cases/access.py), or ""."""
    try:
        if action in ("assign", "transfer", "confidential"):
            require_reassign(who, case)
        else:
            require_change(who, case)
    except ActionNotAllowed as exc:
        return str(exc)
    return ""


@employee_required
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in HANDLERS:
        raise Http404("no such action")
    if request.method != "POST":
        if request.method == "GET":
            return redirect(reverse("case", args=[pk]) + f"#action-{action}")
        return HttpResponseNotAllowed(["POST"])
    employee: Employee = request.employee  # type: ignore[attr-defined]
    case = load_case(pk, request.user)
    form = make_form(action, case, employee, request.POST, request.FILES)
    handler = HANDLERS[action][1]
    step = request.POST.get("step", "send")

    refusal = _refusal(case, request.user, action)
    if refusal:
        messages.error(request, refusal)
        return render_case(request, case, status=403)
    if action not in available_actions(case):
        messages.error(
            request,
            _("This action is not possible while the case is “%(status)s”.")
            % {"status": case.get_status_display()},
        )
        return render_case(request, case, status=409)

    if action == "refer" and step == "prefill":
        return _refer_prefill(request, case, employee, form)
    if action == "reply" and step in ("template", "preview", "delivery", "letter"):
        return _reply_step(request, case, employee, form, step)

    if not form.is_valid():
        return render_case(request, case, bound={action: form}, open_action=action, status=200)
    if action == "reply":
        form.require_body()  # type: ignore[attr-defined]
        if not form.is_valid():
            return render_case(request, case, bound={action: form}, open_action=action)
    version = form.cleaned_data["version"]
    try:
        done = handler(form, case, employee, version)
    except ConcurrentChange:
        fresh = load_case(pk, request.user)
        data = request.POST.copy()
        data[f"{action}-version"] = str(fresh.version)
        data[f"{action}-seen_event"] = str(max((e.pk for e in fresh.events.all()), default=0))
        again = make_form(action, fresh, employee, data, None)
        again.is_valid()
        again.add_error(
            None,
            _(
                "Someone else changed this case while you were working on it (see “Changed meanwhile” "
                "above). Nothing of yours was saved; your text is kept below. Check the changes, then "
                "send again."
            ),
        )
        changed = events_after(fresh, form.cleaned_data.get("seen_event") or 0)
        return render_case(
            request, fresh, bound={action: again}, open_action=action, changed=changed, status=409
        )
    except (CaseError, ValidationError) as exc:
        text = error_text(exc) if isinstance(exc, CaseError) else " ".join(exc.messages)
        field = "reasons" if isinstance(exc, MissingReasons) else getattr(exc, "field", "")
        form.add_error(field if field in form.fields else None, text)
        return render_case(
            request, load_case(pk, request.user), bound={action: form}, open_action=action
        )
    messages.success(request, done)
    return redirect(reverse("case", args=[pk]) + "#timeline")


def _refer_prefill(
    request: HttpRequest, case: Case, employee: Employee, form: desk_forms.ActionForm
) -> HttpResponse:
    """Fill the message to the client with the chosen institution's contacts [ROUTE-EXTERNAL]."""
    institution = ExternalInstitution.objects.filter(
        pk=_int(request.POST.get("refer-institution")), is_active=True
    ).first()
    data = request.POST.copy()
    if institution is not None:
        data["refer-message_to_client"] = desk_forms.referral_message(case, institution)
    if institution is None:
        fresh_form = make_form("refer", case, employee, data)
        fresh_form.is_valid()  # says which institution is missing
    else:
        fresh_form = _unbound_like("refer", case, employee, data)
    if is_htmx(request):
        return render(
            request,
            "desk/partials/refer_form.html",
            {"case": case, "form": fresh_form, "open_action": "refer"},
        )
    return render_case(request, case, bound={"refer": fresh_form}, open_action="refer")


def _unbound_like(action: str, case: Case, employee: Employee, data: Any) -> desk_forms.ActionForm:
    """A form showing ``data`` as initial values, without error messages yet."""
    prefix = f"{action}-"
    initial = {k[len(prefix) :]: data.get(k) for k in data if k.startswith(prefix)}
    form = make_form(action, case, employee, None)
    form.initial = initial
    return form


def _reply_step(
    request: HttpRequest, case: Case, employee: Employee, form: desk_forms.ActionForm, step: str
) -> HttpResponse:
    """Insert an answer template, or show the preview with the identity block; nothing is sent."""
    data = request.POST.copy()
    problem = ""
    chosen = str(data.get("reply-template") or "")
    if step == "template" and chosen:
        text, problem = compose.fill_template(case, employee, chosen)
        if text:
            data["reply-body"] = compose.insert_at(
                str(data.get("reply-body", "")), text, data.get("cursor")
            )
    shown = _unbound_like("reply", case, employee, data)
    if problem:
        shown = make_form("reply", case, employee, data)
        shown.is_valid()
        shown.add_error("template", problem)
    identity = compose.identity_preview(employee=employee, language=case.language)
    preview = identity if step == "preview" else None
    body = str(data.get("reply-body", ""))
    delivery = shown.chosen_delivery()  # type: ignore[attr-defined]
    if step == "letter":
        from charterdesk.channels.post.letters import letter_preview_response

        return letter_preview_response(case=case, employee=employee, body=body)
    context = {
        "case": case,
        "form": shown,
        "identity": identity,
        "preview": preview,
        "preview_body": body,
        "open_action": "reply",
        "delivery": delivery.value,
        "reply_subject": compose.reply_subject(case),
    }
    if is_htmx(request):
        return render(request, "desk/partials/composer.html", context)
    return render_case(
        request,
        case,
        bound={"reply": shown},
        open_action="reply",
        preview=preview,
        preview_body=body,
    )


@require_GET
@employee_required
def refer_message(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the pre-filled message for the institution chosen in the referral form."""
    case = load_case(pk, request.user)
    institution = ExternalInstitution.objects.filter(
        pk=_int(request.GET.get("refer-institution")), is_active=True
    ).first()
    text = desk_forms.referral_message(case, institution) if institution else ""
    return render(request, "desk/partials/refer_message.html", {"text": text})


def _int(raw: str | None) -> int:
    try:
        return int(raw or 0)
    except ValueError:
        return 0
