"""Small display helpers shared by the admin pages of several apps."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from charterdesk.core.validators import format_phone


@admin.display(description=_("phone"), ordering="phone")
def shown_phone(obj: Any) -> str:
    """Phone numbers in the Latvian grouping (+371 67 774 010), not as stored (E.164)."""
    return format_phone(getattr(obj, "phone", "") or getattr(obj, "general_phone", ""))
