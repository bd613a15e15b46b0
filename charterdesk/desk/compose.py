"""What the reply composer needs from the outbox: answer templates and the identity block.

The desk never sends mail: a reply goes through ``case_reply`` and the outbox's listener writes
the e-mail, appending the identity block [EMAIL-IDENTITY].  The composer shows that same block
(made by ``charterdesk.outbox.identity``) in its preview, so what the employee sees is what the
client gets.
"""

from __future__ import annotations

from dataclasses import dataclass

import nh3
from django.utils import timezone, translation

from charterdesk.cases.models import Case, Direction
from charterdesk.directory.models import Employee, Institution
from charterdesk.outbox.errors import IdentityMissing
from charterdesk.outbox.identity import render_identity_block
from charterdesk.outbox.models import MessageTemplate, TemplateKind
from charterdesk.outbox.templating import TemplateSourceError, render_template_text


@dataclass(frozen=True)
class IdentityPreview:
    text: str
    html: str
    problem: str = ""


def institution() -> Institution | None:
    return Institution.objects.order_by("pk").first()


def identity_preview(*, employee: Employee, language: str) -> IdentityPreview:
    try:
        text, html = render_identity_block(
            institution=institution(), employee=employee, language=language
        )
    except IdentityMissing as exc:
        return IdentityPreview("", "", str(exc))
    # The e-mail keeps its inline styles (mail clients need them); the desk's pages allow no
    # inline style (Content-Security-Policy), so desk.css gives the preview the same look.
    html = nh3.clean(html, attributes={"div": {"class"}, "a": {"href"}})
    return IdentityPreview(text, html)


def reply_templates(case: Case) -> list[MessageTemplate]:
    """Active reply templates in the client's language: the case programme's first, then the
    ones for every programme."""
    rows = MessageTemplate.objects.filter(
        kind=TemplateKind.REPLY, is_active=True, language=(case.language or "lv")[:2]
    ).select_related("programme")
    if case.programme_id is None:
        rows = rows.filter(programme__isnull=True)
    else:
        from django.db.models import Q

        rows = rows.filter(Q(programme_id=case.programme_id) | Q(programme__isnull=True))
    return sorted(rows, key=lambda t: (t.programme_id is None, t.name))


def template_label(template: MessageTemplate) -> str:
    subject = f" — {template.subject}" if template.subject else ""
    return f"{template.name}{subject}"


def template_context(case: Case, employee: Employee) -> dict[str, str | None]:
    inst = institution()
    language = (case.language or "lv")[:2]
    with translation.override(language):
        received = [m for m in case.messages.all() if m.direction == Direction.INBOUND]
        from charterdesk.desk.templatetags.desk import when

        return {
            "client_name": case.client.name,
            "case_reference": case.reference,
            "case_subject": case.subject,
            "programme_name": case.programme.name if case.programme else "",
            "institution_name": (inst.name_en if language == "en" else inst.name_lv)
            if inst
            else "",
            "employee_name": employee.full_name,
            "expected_answer_by": when(case.promised_by) if case.promised_by else "",
            "received_at": when(received[-1].created_at) if received else "",
        }


def fill_template(case: Case, employee: Employee, template_id: str) -> tuple[str, str]:
    """``(text, problem)``: the template's text for this case, or why it cannot be used."""
    try:
        template = next(t for t in reply_templates(case) if str(t.pk) == str(template_id))
    except StopIteration:
        return "", translation.gettext("That answer template does not exist (any more).")
    try:
        return render_template_text(template.body, template_context(case, employee)), ""
    except TemplateSourceError as exc:
        return "", str(exc)


def now() -> str:
    return timezone.now().isoformat()
