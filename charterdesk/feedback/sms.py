"""Text messages through a pluggable sender.

``settings.CHARTERDESK_SMS_SENDER`` names a class with ``send(*, to: str, text: str) -> None``
that raises on failure (an operator's HTTP API, an SMPP gateway…).  Without one, no survey is
offered by text message: nothing claims to send what it cannot.  ``FileSender`` writes each
message to ``var/sent-sms/`` (the demo and the tests).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SmsSender(Protocol):
    def send(self, *, to: str, text: str) -> None: ...


class FileSender:
    """Writes each text message as a JSON file under ``CHARTERDESK_SMS_DIR`` (var/sent-sms)."""

    def __init__(self) -> None:
        self.directory = Path(
            getattr(settings, "CHARTERDESK_SMS_DIR", Path(settings.VAR_DIR) / "sent-sms")
        )

    def send(self, *, to: str, text: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC)
        path = self.directory / f"{now:%Y%m%dT%H%M%S%f}-{to.lstrip('+')}.json"
        path.write_text(json.dumps({"to": to, "text": text}, ensure_ascii=False), encoding="utf-8")


def sms_sender() -> SmsSender | None:
    dotted = getattr(settings, "CHARTERDESK_SMS_SENDER", "")
    if not dotted:
        return None
    return import_string(dotted)()  # type: ignore[no-any-return]
