"""Validation of contact details, shared by every model and form that stores one.

A bad value gets a clear error naming what is wrong; nothing is silently "fixed".  Phone numbers are
stored in E.164 (``+37167774010``) and shown in the Latvian grouping (``+371 67 774 010``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

DEFAULT_REGION = "LV"


def _phonenumbers() -> Any:
    """The ``phonenumbers`` package, imported when a number is first read: it loads 58 modules
    (~20 ms), and a process that reads none (an e-mail import) need not pay for them."""
    import phonenumbers

    return phonenumbers


def normalise_phone(value: str) -> str:
    """Return ``value`` in E.164 or raise ``ValidationError`` saying why it is not a phone number.

    Latvian numbers may be written without +371; they must have 8 digits starting with 2 (mobile),
    6 (landline) or 8 (free phone).  Foreign numbers must start with + and a country code.
    """
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(_("Enter a phone number."), code="required")
    allowed = set("0123456789+ -()")
    bad = sorted({c for c in raw if c not in allowed})
    if bad:
        raise ValidationError(
            _("The phone number %(value)s contains characters that are not allowed: %(chars)s")
            % {"value": raw, "chars": " ".join(bad)},
            code="invalid_characters",
        )
    phonenumbers = _phonenumbers()
    try:
        parsed = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("%(value)s is not a phone number.") % {"value": raw}, code="invalid"
        ) from None
    if not phonenumbers.is_valid_number(parsed):
        if parsed.country_code == 371:
            message = _(
                "%(value)s is not a valid Latvian number: it needs 8 digits starting with 2, 6 or 8."
            )
        else:
            message = _("%(value)s is not a valid phone number for its country code.")
        raise ValidationError(message % {"value": raw}, code="invalid")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(value: str) -> None:
    normalise_phone(value)


def format_phone(e164: str) -> str:
    """Show a stored number the Latvian way: ``+371 67 774 010``; other countries internationally."""
    if not e164:
        return ""
    phonenumbers = _phonenumbers()
    try:
        parsed = phonenumbers.parse(e164, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return e164
    if parsed.country_code == 371:
        digits = str(parsed.national_number)
        if len(digits) == 8:
            return f"+371 {digits[:2]} {digits[2:5]} {digits[5:]}"
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalise_email(value: str) -> str:
    """Return the address with its domain lower-cased, or raise ``ValidationError``."""
    raw = (value or "").strip()
    try:
        validate_email(raw)
    except ValidationError:
        raise ValidationError(
            _("%(value)s is not a valid e-mail address.") % {"value": raw or '""'}, code="invalid"
        ) from None
    local, _sep, domain = raw.rpartition("@")
    return f"{local}@{domain.lower()}"
