from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """``95,2 %`` in Latvian, ``95.2 %`` in English."""
    if value is None:
        return "—"
    return f"{number_format(round(value * 100, 1), 1)} %"  # rounded: number_format cuts off


@register.filter
def seconds(value: float | None) -> str:
    if value is None:
        return "—"
    whole = round(value)
    return ngettext("%(n)d second", "%(n)d seconds", whole) % {"n": whole}
