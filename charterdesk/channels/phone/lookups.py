"""Per-process memory of the rows every call event asks for: the exchange that signed it, the
line's ``PhoneLine``, and the employee at an extension.

Each answer is kept for a few seconds (``SECONDS``), so that a burst of events does not ask the
database the same question thousands of times; a change in the admin is seen at once in the process
that saved it (the signals below forget everything) and within ``SECONDS`` in the other worker
processes — deactivating an exchange or changing its secret, too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.db.models.signals import post_delete, post_save

from charterdesk.channels.phone.models import Exchange, PhoneLine
from charterdesk.directory.models import Employee

SECONDS = 10.0

_MEMORY: dict[tuple[str, str], tuple[Any, float]] = {}


@dataclass(frozen=True, slots=True)
class SigningExchange:
    """What the API needs of an exchange to check a request (not a model instance: nothing in it
    can be saved by mistake)."""

    pk: int
    name: str
    secret: str


def forget(*_args: object, **_kwargs: object) -> None:
    _MEMORY.clear()


def _remembered(kind: str, key: str) -> tuple[bool, Any]:
    hit = _MEMORY.get((kind, key))
    if hit is not None and hit[1] >= time.monotonic():
        return True, hit[0]
    return False, None


def _remember(kind: str, key: str, value: Any) -> Any:
    if len(_MEMORY) > 10_000:  # bounded: names and numbers come from signed requests only
        _MEMORY.clear()
    _MEMORY[(kind, key)] = (value, time.monotonic() + SECONDS)
    return value


def active_exchange(name: str) -> SigningExchange | None:
    known, value = _remembered("exchange", name)
    if known:
        return value  # type: ignore[no-any-return]
    row = Exchange.objects.filter(name=name, is_active=True).values_list("pk", "secret").first()
    found = SigningExchange(row[0], name, row[1]) if row else None
    return _remember("exchange", name, found)  # type: ignore[no-any-return]


def line_id(e164: str) -> int | None:
    known, value = _remembered("line", e164)
    if known:
        return value  # type: ignore[no-any-return]
    pk = PhoneLine.objects.filter(number=e164).values_list("pk", flat=True).first()
    return _remember("line", e164, pk)  # type: ignore[no-any-return]


def employees_by_extension(extensions: set[str]) -> dict[str, int | None]:
    """Employee ids by extension (one query for those not remembered)."""
    answer: dict[str, int | None] = {}
    missing = set()
    for ext in extensions:
        known, value = _remembered("extension", ext)
        if known:
            answer[ext] = value
        else:
            missing.add(ext)
    if missing:
        found = dict(Employee.objects.filter(extension__in=missing).values_list("extension", "pk"))
        for ext in missing:
            answer[ext] = _remember("extension", ext, found.get(ext))
    return answer


for _model in (Exchange, PhoneLine, Employee):
    post_save.connect(forget, sender=_model, dispatch_uid=f"phone-lookups-save-{_model.__name__}")
    post_delete.connect(
        forget, sender=_model, dispatch_uid=f"phone-lookups-delete-{_model.__name__}"
    )
