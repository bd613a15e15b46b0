"""``POST /api/v1/phone/events``: signed call events from an exchange.

Each refusal is a 4xx whose JSON says what and where (``{"error": …, "where": …}``), and stores
nothing: a batch is recorded all or nothing.  Status codes: 201 stored, 200 a duplicate (nothing
changed), 400 a malformed body, 401 a bad or missing signature or an unknown exchange, 401 a
timestamp outside the replay window, 409 an event for a call whose ``offered`` never arrived,
413 a body over the limit.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.responses import Status

from charterdesk.channels.phone.lookups import active_exchange
from charterdesk.channels.phone.payload import PayloadError, parse_body
from charterdesk.channels.phone.services import UnknownCall, call_events_record
from charterdesk.channels.phone.signing import HEADER, SignatureError, parse_header, verify

MAX_BODY = 256 * 1024

api = NinjaAPI(
    title="charterdesk phone events",
    version="1",
    urls_namespace="phone_api",
    docs_url="/docs",
)


class Stored(Schema):
    stored: int
    duplicates: int
    calls: list[dict[str, Any]]


class Refusal(Schema):
    error: str
    where: str = ""


def _window() -> int:
    return int(getattr(settings, "PHONE_SIGNATURE_WINDOW", 300))


def _refuse(status: int, error: str, where: str = "") -> Status[dict[str, str]]:
    return Status(status, {"error": error, "where": where})


@api.post(
    "/events",
    response={200: Stored, 201: Stored, 400: Refusal, 401: Refusal, 409: Refusal, 413: Refusal},
    summary="Report call events (signed with HMAC-SHA256)",
)
def post_events(request: HttpRequest) -> Status[Any]:
    body = request.body
    if len(body) > MAX_BODY:
        return _refuse(413, f"the body is {len(body)} bytes; at most {MAX_BODY}", "body")
    try:
        name, timestamp, signature = parse_header(request.headers.get(HEADER, ""))
    except SignatureError as exc:
        return _refuse(401, str(exc), HEADER)
    exchange = active_exchange(name)  # remembered for a few seconds per process (lookups.py)
    if exchange is None:
        return _refuse(401, f"unknown or inactive exchange {name!r}", HEADER)
    if not verify(exchange.secret, timestamp, body, signature):
        return _refuse(401, "the signature does not match the body and timestamp", HEADER)
    skew = int(time.time()) - timestamp
    if abs(skew) > _window():
        age = f"{skew} s old" if skew > 0 else f"{-skew} s in the future"
        return _refuse(
            401, f"the timestamp is {age}; the replay window is {_window()} s", f"{HEADER} t"
        )
    try:
        events = parse_body(
            body, request.content_type or "", datetime.fromtimestamp(timestamp, tz=UTC)
        )
    except PayloadError as exc:
        return _refuse(400, exc.problem, exc.where)
    try:
        recorded = call_events_record(exchange=exchange, events=events)
    except UnknownCall as exc:
        return _refuse(409, str(exc), "call_id")
    stored = sum(1 for r in recorded if r.stored)
    calls = {r.call.pk: r.call for r in recorded}
    return Status(
        201 if stored else 200,
        {
            "stored": stored,
            "duplicates": len(recorded) - stored,
            "calls": [
                {"id": c.pk, "call_id": c.external_id, "state": c.state} for c in calls.values()
            ],
        },
    )
