"""What an exchange may send, parsed into one vendor-neutral shape (pure; no database).

Two shapes are accepted:

* ours (JSON): ``{"call_id", "event", "at", "leg", "extension", "line", "caller", "queue",
  "recording_url", "reason", "to_extension"}`` — one object, or ``{"events": [ … ]}`` for a batch;
* Zammad's generic CTI (form-encoded or JSON): ``event`` = ``newCall`` / ``answer`` / ``hangup``
  with ``callId``, ``from``, ``to``, ``direction``, ``answeringNumber``, ``cause``.

A problem raises :class:`PayloadError` naming the field (``events[3].at``) and what is wrong.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

EVENTS = (
    "offered",  # the call reached the exchange (a line)
    "queued",  # it entered a queue, before any phone rang
    "alerting",  # a phone (a leg) started ringing
    "answered",  # a leg answered
    "no_answer",  # a leg stopped ringing without answering (the queue rings the next)
    "transferred",  # the call was handed on (to_extension)
    "voicemail",  # the caller was sent to voicemail
    "abandoned",  # the caller hung up before anyone answered
    "ended",  # the call ended
    "recording",  # a recording link for the call
)
ALIASES = {"ringing": "alerting", "ring": "alerting", "answer": "answered", "hangup": "ended"}
MAX_BATCH = 500
_ID = re.compile(r"^[\x21-\x7e]{1,200}$")


class PayloadError(ValueError):
    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}" if where else problem)
        self.where = where
        self.problem = problem


@dataclass(frozen=True, slots=True)
class CallEventIn:
    call_id: str
    event: str
    at: datetime
    leg: str = ""
    extension: str = ""
    line: str = ""
    caller: str = ""
    queue: str = ""
    recording_url: str = ""
    reason: str = ""
    to_extension: str = ""

    def data(self) -> dict[str, str]:
        keys = ("extension", "line", "caller", "queue", "recording_url", "reason", "to_extension")
        return {k: getattr(self, k) for k in keys if getattr(self, k)}


def parse_moment(raw: Any, where: str) -> datetime:
    """ISO 8601 with a zone, or Unix seconds (a number or a string like ``1700000000.123``)."""
    if isinstance(raw, bool) or raw is None or raw == "":
        raise PayloadError(
            where, "a moment is required (ISO 8601 with a time zone, or Unix seconds)"
        )
    if isinstance(raw, int | float) or (
        isinstance(raw, str) and re.fullmatch(r"\d{9,11}(\.\d{1,9})?", raw)
    ):
        try:
            value = float(raw)
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise PayloadError(where, f"{raw!r} is not a moment") from None
    if not isinstance(raw, str):
        raise PayloadError(where, f"{raw!r} is not a moment")
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise PayloadError(where, f"{raw!r} is not an ISO 8601 moment") from None
    if parsed.tzinfo is None:
        raise PayloadError(where, f"{raw!r} has no time zone (add Z or +02:00)")
    return parsed.astimezone(UTC)


def _text(obj: dict[str, Any], key: str, where: str, *, limit: int = 80) -> str:
    value = obj.get(key, "")
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise PayloadError(f"{where}.{key}" if where else key, "must be a string")
    value = value.strip()
    if len(value) > limit:
        raise PayloadError(f"{where}.{key}" if where else key, f"longer than {limit} characters")
    return value


def _one(obj: Any, where: str) -> CallEventIn:
    def at(key: str) -> str:
        return f"{where}.{key}" if where else key

    if not isinstance(obj, dict):
        raise PayloadError(where or "body", "an event must be a JSON object")
    known = {
        "call_id", "event", "at", "leg", "extension", "line", "caller", "queue",
        "recording_url", "reason", "to_extension",
    }  # fmt: skip
    extra = sorted(set(obj) - known)
    if extra:
        raise PayloadError(where or "body", f"unknown fields: {', '.join(extra)}")
    call_id = _text(obj, "call_id", where, limit=200)
    if not call_id:
        raise PayloadError(at("call_id"), "is required")
    if not _ID.match(call_id):
        raise PayloadError(at("call_id"), "must be printable ASCII without spaces")
    event = _text(obj, "event", where).lower()
    event = ALIASES.get(event, event)
    if event not in EVENTS:
        raise PayloadError(at("event"), f"unknown event {event!r} (one of: {', '.join(EVENTS)})")
    moment = parse_moment(obj.get("at"), at("at"))
    url = _text(obj, "recording_url", where, limit=1000)
    if event == "recording" and not re.match(r"^https?://\S+$", url):
        raise PayloadError(at("recording_url"), "a recording event needs an http(s) link")
    leg = _text(obj, "leg", where)
    extension = _text(obj, "extension", where, limit=20)
    if event in ("alerting", "answered", "no_answer") and not (leg or extension):
        raise PayloadError(at("leg"), f"a {event} event names the phone: 'leg' or 'extension'")
    return CallEventIn(
        call_id=call_id,
        event=event,
        at=moment,
        leg=leg or (extension if event in ("alerting", "answered", "no_answer") else ""),
        extension=extension,
        line=_text(obj, "line", where, limit=40),
        caller=_text(obj, "caller", where),
        queue=_text(obj, "queue", where),
        recording_url=url,
        reason=_text(obj, "reason", where, limit=40),
        to_extension=_text(obj, "to_extension", where, limit=20),
    )


ZAMMAD_CAUSES_UNANSWERED = {"cancel": "abandoned", "noanswer": "no_answer", "busy": "no_answer"}


def _zammad(obj: dict[str, Any], sent_at: datetime) -> list[CallEventIn]:
    """Zammad's generic CTI: ``newCall`` (the phone rings), ``answer``, ``hangup``.  The shape has
    no moments of its own: the signed timestamp of the request is the moment."""

    def val(key: str) -> str:
        raw = obj.get(key, "")
        if isinstance(raw, list):
            raw = raw[0] if raw else ""
        if not isinstance(raw, str | int) or isinstance(raw, bool):
            raise PayloadError(key, "must be a string")
        return str(raw).strip()[:200]

    kind = val("event")
    call_id = val("callId")
    if not call_id or not _ID.match(call_id):
        raise PayloadError("callId", "is required (printable ASCII without spaces)")
    direction = val("direction") or "in"
    if direction != "in":
        raise PayloadError("direction", "only incoming calls ('in') are measured")
    caller, line = val("from"), val("to")
    if kind == "newCall":
        return [
            CallEventIn(call_id, "offered", sent_at, caller=caller, line=line),
            CallEventIn(call_id, "alerting", sent_at, leg="zammad", line=line),
        ]
    if kind == "answer":
        ext = val("answeringNumber") or val("user")
        return [CallEventIn(call_id, "answered", sent_at, leg="zammad", extension=ext[:20])]
    if kind == "hangup":
        cause = val("cause").replace("_", "").lower()
        out = []
        if cause in ("cancel",):
            out.append(CallEventIn(call_id, "abandoned", sent_at, reason=cause))
        elif cause in ("noanswer", "busy"):
            out.append(CallEventIn(call_id, "no_answer", sent_at, leg="zammad", reason=cause))
        out.append(CallEventIn(call_id, "ended", sent_at, reason=cause[:40]))
        return out
    raise PayloadError("event", f"unknown Zammad CTI event {kind!r} (newCall, answer, hangup)")


def parse_body(body: bytes, content_type: str, sent_at: datetime) -> list[CallEventIn]:
    """The events of one request body."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    # curl's default type for a posted body is the form type; a body that is a JSON object is
    # read as JSON whatever the type says (Kamailio's http_client_query sends it so).
    if ctype == "application/x-www-form-urlencoded" and not body.lstrip().startswith(b"{"):
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            raise PayloadError("body", "is not UTF-8") from None
        return _zammad({k: v for k, v in form.items()}, sent_at)
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise PayloadError("body", "is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise PayloadError(
            "body", f"is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if isinstance(data, dict) and data.get("event") in ("newCall", "answer", "hangup"):
        return _zammad(data, sent_at)
    if isinstance(data, dict) and "events" in data:
        items = data["events"]
        if set(data) != {"events"}:
            raise PayloadError("body", "a batch has only the key 'events'")
        if not isinstance(items, list) or not items:
            raise PayloadError("events", "must be a non-empty list")
        if len(items) > MAX_BATCH:
            raise PayloadError("events", f"at most {MAX_BATCH} events per request")
        return [_one(item, f"events[{i}]") for i, item in enumerate(items)]
    return [_one(data, "")]
