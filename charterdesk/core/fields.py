"""Model fields that store contact details in one canonical form."""

from __future__ import annotations

from typing import Any

from django.db import models

from charterdesk.core.validators import normalise_email, normalise_phone


class PhoneField(models.CharField):  # type: ignore[type-arg]
    """A phone number stored in E.164; ``clean()`` rejects what is not a valid number."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value in (None, ""):
            return value
        return normalise_phone(value)


class EmailAddressField(models.EmailField):  # type: ignore[type-arg]
    """An e-mail address with its domain lower-cased."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value in (None, ""):
            return value
        return normalise_email(value)
