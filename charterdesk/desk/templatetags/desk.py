"""Formatting for the desk: Latvian dates and numbers, time left, phone numbers, event texts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.dates import MONTHS_3
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from charterdesk.cases.access import figures_access, may_run_campaigns
from charterdesk.core.dates import EN_WEEKDAYS, LV_WEEKDAYS_ON
from charterdesk.core.validators import format_phone

register = template.Library()


def _english() -> bool:
    return (get_language() or "lv").startswith("en")


@register.filter
def when(value: datetime | None) -> str:
    """``25.11.2026 14:05`` (Latvian) / ``25 Nov 2026 14:05`` (English), in Europe/Riga."""
    if not value:
        return ""
    local = timezone.localtime(value)
    # What ``date_format(local, "j M Y H:i" / "d.m.Y H:i")`` gives, at a fifth of its cost (the
    # inbox calls this twice per row; tests/desk/test_formatting.py compares the two).
    if _english():
        return f"{local.day} {MONTHS_3[local.month].title()} {local:%Y %H:%M}"
    return f"{local:%d.%m.%Y %H:%M}"


@register.filter
def day(value: datetime | None) -> str:
    if not value:
        return ""
    local = timezone.localtime(value) if isinstance(value, datetime) else value
    return formats.date_format(local, "j M Y" if _english() else "d.m.Y")


@register.filter
def num(value: Any) -> str:
    """Grouped by the active language: ``1 000 000`` (lv, non-breaking space) / ``1,000,000``."""
    if value is None or value == "":
        return ""
    return formats.number_format(value, force_grouping=True)


@register.filter
def phone(value: str) -> str:
    return format_phone(value)


def duration_text(seconds: int) -> str:
    """``3 h 20 min`` / ``3 st. 20 min``; days are not used: working time is counted in hours."""
    minutes = abs(seconds) // 60
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return _("%(h)s h %(m)s min") % {"h": num(hours), "m": minutes}
    if hours:
        return _("%(h)s h") % {"h": num(hours)}
    return _("%(m)s min") % {"m": minutes}


def due_words(due_at: datetime, now: datetime) -> str:
    """A deadline as people say it: ``rīt 08:30`` / ``tomorrow 08:30``, ``piektdien 10:00`` /
    ``Friday 10:00`` within the week, ``05.12. 10:00`` / ``5 Dec 10:00`` later."""
    local, today = timezone.localtime(due_at), timezone.localtime(now).date()
    days = (local.date() - today).days
    clock = local.strftime("%H:%M")
    if days == 1:
        return _("tomorrow %(time)s") % {"time": clock}
    if 1 < days < 7:
        day_name = (EN_WEEKDAYS if _english() else LV_WEEKDAYS_ON)[local.weekday()]
        return f"{day_name} {clock}"
    return formats.date_format(local, "j M H:i" if _english() else "d.m. H:i")


@register.filter
def timeleft(info: Any) -> str:
    """Time left until the next deadline, as people read it: the working time left when it is
    due today ("2 h 15 min"), otherwise the moment ("rīt 08:30"), never "0 min" for a deadline
    tomorrow morning.  Breached rows carry an "overdue" tag beside this text, so for them the
    text is how long ago, alone."""
    if info is None:
        return ""
    now = timezone.now()
    if info.breached or timezone.localtime(info.due_at).date() <= timezone.localtime(now).date():
        return duration_text(info.seconds)
    return due_words(info.due_at, now)


@register.filter
def commitment_name(commitment_id: str) -> str:
    """The commitment's title in the page's language (its ID is shown as a hint beside it)."""
    if not commitment_id:
        return ""
    from charterdesk.standard import get_policy

    found = get_policy().commitments.get(commitment_id)
    return found.title_in("en" if _english() else "lv") if found is not None else commitment_id


@register.filter
def filesize(value: int) -> str:
    if value < 1024:
        return ngettext("%(n)s byte", "%(n)s bytes", value) % {"n": value}
    if value < 1024 * 1024:
        return _("%(n)s KB") % {"n": formats.number_format(value / 1024, 1)}
    return _("%(n)s MB") % {"n": formats.number_format(value / 1024 / 1024, 1)}


@register.filter
def get(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def page_in(context: Any, language: str) -> str:
    """This page's address in ``language`` (for the language switch's ``next``).

    Django's ``set_language`` translates ``next`` itself, but it runs under the default language
    (its URL has no language prefix), so it cannot resolve an English address: the switch back
    to Latvian would stay on the English page.  Translating here, in the page's own language,
    gives ``set_language`` an address that is already right."""
    from django.urls import translate_url

    request = context["request"]
    return translate_url(request.get_full_path(), language)


@register.filter
def delivery(message: Any) -> str:
    """How an outbound message reached the client: "by e-mail", "by letter", "told by phone"."""
    from charterdesk.cases.delivery import delivery_of

    way = delivery_of(message)
    return str(way.label) if way is not None else ""


@register.filter
def email_breaks(address: str) -> str:
    """An e-mail address that may break after "@" and dots (``<wbr>``), escaped."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    text = escape(address or "")
    # nosec: escaped above; only literal <wbr> tags are added
    return mark_safe(text.replace("@", "@<wbr>").replace(".", ".<wbr>"))  # nosec B308 B703


@register.filter
def previewable(attachment: Any) -> bool:
    """An image or PDF the page may show (served inline, sandboxed); anything else downloads."""
    from charterdesk.desk.views.case import PREVIEWABLE

    return (attachment.content_type or "").split(";")[0].strip().lower() in PREVIEWABLE


@register.filter
def reads_figures(employee: Any) -> bool:
    """The header's link to the compliance report: for whom ``cases.access.figures_access``
    opens it (the quality manager, team leads).  At most one query (the teams led), cached on
    the principal for the request."""
    return employee is not None and figures_access(employee) is not None


@register.filter
def runs_campaigns(employee: Any) -> bool:
    """The header's link to the survey campaigns: the quality manager's (no query)."""
    return employee is not None and may_run_campaigns(employee)


@register.simple_tag(takes_context=True)
def unread_notifications(context: Any) -> int:
    """The signed-in employee's unread notifications (the header's badge); 0 without one."""
    request = context.get("request")
    employee = getattr(request, "employee", None) if request is not None else None
    if employee is None:
        return 0
    from charterdesk.notifications.services import unread_count

    return unread_count(employee)


@register.filter
def view_count(count: int) -> str:
    """A tab's count: the number, or "999+" past ``selectors.COUNT_CAP``."""
    from charterdesk.desk.selectors import COUNT_CAP

    return f"{COUNT_CAP}+" if count > COUNT_CAP else str(count)
