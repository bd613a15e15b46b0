"""Signed requests to the call-event API, as an exchange sends them."""

from __future__ import annotations

import json
import time
from typing import Any

from charterdesk.channels.phone.signing import HEADER, header_value

SECRET = "s3cret-for-tests"
EXCHANGE = "test-pbx"


def make_exchange(name: str = EXCHANGE, secret: str = SECRET):
    from charterdesk.channels.phone.models import Exchange

    return Exchange.objects.create(name=name, secret=secret)


def post_signed(
    client: Any,
    payload: Any,
    *,
    exchange: str = EXCHANGE,
    secret: str = SECRET,
    t: int | None = None,
    raw: bytes | None = None,
    content_type: str = "application/json",
):
    body = raw if raw is not None else json.dumps(payload).encode()
    header = header_value(
        exchange, secret, body, timestamp=t if t is not None else int(time.time())
    )
    return client.post(
        "/api/v1/phone/events", data=body, content_type=content_type, headers={HEADER: header}
    )


def ev(call_id: str, event: str, at: str, **fields: str) -> dict[str, str]:
    return {"call_id": call_id, "event": event, "at": at, **fields}
