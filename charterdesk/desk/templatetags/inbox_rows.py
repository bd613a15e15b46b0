"""The inbox's rows, written in Python: the one part of the desk drawn fifty times per page.

The same markup as the template it replaces (``tests/desk/test_inbox_rows.py`` renders both and
compares them), at about a fifth of the cost: the template engine resolves some fifty variables
per row through its lookup chain, while a page of 50 rows here is string formatting with every
value escaped (``format_html``).  docs/desk.md, "The inbox over HTTP", has the figures."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from charterdesk.desk.templatetags.desk import commitment_name, timeleft, when

register = template.Library()

_PK = 2_147_483_647  # a case id no database hands out: its place in the case page's address


@register.simple_tag(takes_context=True)
def inbox_rows(context: Any) -> SafeString:
    page = context["page"]
    timers = context.get("timers") or {}
    statuses = context["status_labels"]
    channels = context["channel_labels"]
    case_url = reverse("case", args=[_PK])
    words = {
        "time_left": _("Time left"),
        "overdue": pgettext("deadline state", "overdue"),
        "due_soon": pgettext("deadline state", "due soon"),
        "no_deadline": _("no deadline"),
        "unseen": _("new since you looked"),
        "again": _("client wrote again"),
        "undelivered": _("e-mail not delivered"),
        "client": _("Client"),
        "needs": _("special needs"),
        "received": pgettext("inbox column", "Received"),
        "channel": _("Channel"),
        "programme": _("Programme"),
        "status": _("Status"),
        "employee": _("Employee"),
        "unassigned": _("unassigned"),
    }
    w = {k: conditional_escape(v) for k, v in words.items()}
    rows = [
        _row(case, timers.get(case.pk), page, w, statuses, channels, case_url)
        for case in page.cases
    ]
    return mark_safe("".join(rows))  # nosec B308, B703: every part is escaped by format_html


def _row(
    case: Any,
    t: Any,
    page: Any,
    w: dict[str, SafeString],
    statuses: dict[str, str],
    channels: dict[str, str],
    case_url: str,
) -> str:
    pk = case.pk
    unseen = pk in page.unseen
    if t:
        tag = ""
        if t.breached:
            tag = format_html('<span class="tag tag-breached">{}</span> ', w["overdue"])
        elif t.close:
            tag = format_html('<span class="tag tag-close">{}</span> ', w["due_soon"])
        commitment = (
            format_html(
                ' · <span title="{}">{}</span>', t.commitment, commitment_name(t.commitment)
            )
            if t.commitment
            else ""
        )
        due = format_html(
            '<span class="due-{}">{}{}</span><br><small>{}{}{}</small>',
            t.state,
            tag,
            timeleft(t),
            when(t.due_at),
            "" if t.working else " *",
            commitment,
        )
    else:
        due = format_html('<span class="muted">{}</span>', w["no_deadline"])
    marks = mark_safe(  # nosec B308, B703: joined from format_html's escaped parts
        "".join(
            format_html(' <span class="tag {}">{}</span>', css, w[word])
            for present, css, word in (
                (unseen, "tag-unseen", "unseen"),
                (pk in page.wrote_again, "tag-again", "again"),
                (pk in page.undelivered, "tag-breached", "undelivered"),
            )
            if present
        )
    )
    client = case.client
    needs = (
        format_html(
            ' <span class="tag tag-needs" title="{}">{}</span>', client.special_needs, w["needs"]
        )
        if client.special_needs
        else ""
    )
    programme = case.programme.name if case.programme else ""
    employee = (
        conditional_escape(case.assignee.full_name)
        if case.assignee
        else format_html('<span class="muted">{}</span>', w["unassigned"])
    )
    return format_html(
        '\n  <tr class="row-{}{}">\n'
        '    <td class="pick"><input type="hidden" name="page_case" value="{}">'
        '<input type="checkbox" name="case" value="{}" id="pick-{}">'
        '<label for="pick-{}" class="visually-hidden">{}</label></td>\n'
        '    <td class="due" data-label="{}">{}</td>\n'
        '    <td class="subject"><a href="{}">{}</a><br><small class="ref">{}</small>{}</td>\n'
        '    <td data-label="{}">{}{}</td>\n'
        '    <td data-label="{}">{}</td>\n'
        '    <td data-label="{}">{}</td>\n'
        '    <td data-label="{}">{}</td>\n'
        '    <td data-label="{}"><span class="status status-{}">{}</span></td>\n'
        '    <td data-label="{}">{}</td>\n'
        "  </tr>\n  ",
        t.state if t else "none",
        " row-unseen" if unseen else "",
        pk,
        pk,
        pk,
        pk,
        _("Choose %(ref)s") % {"ref": case.reference},
        w["time_left"],
        due,
        case_url.replace(str(_PK), str(pk)),
        case.subject,
        case.reference,
        marks,
        w["client"],
        client.name,
        needs,
        w["received"],
        when(case.created_at),
        w["channel"],
        channels.get(case.channel, case.channel),
        w["programme"],
        programme or "—",
        w["status"],
        case.status,
        statuses.get(case.status, case.status),
        w["employee"],
        employee,
    )
