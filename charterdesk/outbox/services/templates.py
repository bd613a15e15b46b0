"""Choosing an answer template and filling it in for a case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q
from django.utils.translation import gettext as _

from charterdesk.cases.models import Case
from charterdesk.clients.names import client_vocative
from charterdesk.directory.models import Employee, Programme
from charterdesk.outbox.defaults import shipped_template
from charterdesk.outbox.errors import TemplateMissing
from charterdesk.outbox.formatting import format_moment
from charterdesk.outbox.identity import block_language, institution_name
from charterdesk.outbox.models import MessageTemplate
from charterdesk.outbox.services.write import current_institution
from charterdesk.outbox.templating import render_template_text


@dataclass(frozen=True, slots=True)
class RenderedTemplate:
    template_name: str
    language: str
    subject: str
    body: str


def template_find(
    *, kind: str, language: str, programme: Programme | None = None, name: str | None = None
) -> MessageTemplate:
    """The active template of ``kind`` in ``language``: the programme's own first, then the one for
    all programmes; ``name`` picks one by name.  Without one in the database, the shipped text."""
    language = block_language(language)
    rows = MessageTemplate.objects.filter(kind=kind, language=language, is_active=True)
    scope = Q(programme__isnull=True)
    if programme is not None:
        scope |= Q(programme=programme)
    rows = rows.filter(scope)
    if name:
        rows = rows.filter(name=name)
    found = rows.order_by(F("programme").asc(nulls_last=True), "name", "pk").first()
    if found is not None:
        return found
    shipped = shipped_template(kind, language) if not name else None
    if shipped is not None:
        return shipped
    if name:
        raise TemplateMissing(
            _(
                "There is no active %(kind)s template named %(name)s in %(language)s; an "
                "administrator can add one under Message templates."
            )
            % {"kind": kind, "name": name, "language": language}
        )
    raise TemplateMissing(
        _(
            "There is no active %(kind)s template in %(language)s; an administrator can add one "
            "under Message templates."
        )
        % {"kind": kind, "language": language}
    )


def template_context(
    *,
    case: Case,
    language: str,
    employee: Employee | None = None,
    expected_answer_by: datetime | None = None,
    received_at: datetime | None = None,
    reason: str = "",
    unverified: bool = False,
) -> dict[str, str | None]:
    """The variables of a template, as plain strings (nothing a template could walk through).
    ``unverified``: an automatic answer to a sender nobody verified gets neither the name nor
    the subject they wrote (anybody can write another person's address in From; issue 13)."""
    language = block_language(language)
    institution = current_institution()
    programme = case.programme
    programme_name = ""
    if programme is not None:
        programme_name = (
            programme.name_en if language == "en" and programme.name_en else programme.name_lv
        )
    return {
        "client_name": "" if unverified else case.client.name,
        "client_vocative": ""
        if unverified
        else client_vocative(case.client.name, kind=case.client.kind, language=language),
        "case_reference": case.reference,
        "case_subject": "" if unverified else case.subject,
        "programme_name": programme_name,
        "institution_name": institution_name(institution, language) if institution else "",
        "employee_name": employee.full_name if employee else "",
        "expected_answer_by": format_moment(expected_answer_by, language)
        if expected_answer_by
        else "",
        "received_at": format_moment(received_at, language) if received_at else "",
        "reason": reason.strip(),
    }


def template_render(
    *,
    kind: str,
    case: Case,
    language: str,
    employee: Employee | None = None,
    name: str | None = None,
    expected_answer_by: datetime | None = None,
    received_at: datetime | None = None,
    reason: str = "",
    unverified: bool = False,
) -> RenderedTemplate:
    """Fill in the template of ``kind`` for ``case`` (the desk uses this for its answer drafts)."""
    language = block_language(language)
    template = template_find(kind=kind, language=language, programme=case.programme, name=name)
    context = template_context(
        case=case,
        language=language,
        employee=employee,
        expected_answer_by=expected_answer_by,
        received_at=received_at,
        reason=reason,
        unverified=unverified,
    )
    return RenderedTemplate(
        template_name=template.name,
        language=language,
        subject=render_template_text(template.subject, context),
        body=render_template_text(template.body, context),
    )
