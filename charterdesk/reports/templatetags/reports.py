from django import template

from charterdesk.reports.definitions import percent

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    """A rate as the reader's language writes it (``95,0 %`` / ``95.0%``)."""
    return percent(value)
