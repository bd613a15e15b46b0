"""Asterisk's queue events, as AMI messages or ``queue_log`` lines, mapped to call events (pure).

AMI (``manager.conf`` with ``timestampevents = yes`` gives each event its moment):

====================  =========================================================================
QueueCallerJoin       ``offered`` + ``queued`` (Uniqueid, CallerIDNum, Exten = the line, Queue)
AgentCalled           ``alerting`` on the leg DestUniqueid (Interface gives the extension)
AgentRingNoAnswer     ``no_answer`` on that leg
AgentConnect          ``answered`` on that leg
AgentComplete         ``ended``
QueueCallerAbandon    ``abandoned`` + ``ended``
====================  =========================================================================

``queue_log`` (``epoch|callid|queue|agent|event|data…``): ENTERQUEUE, RINGNOANSWER (ring time in
ms), CONNECT (hold time, bridged channel, ring time in s), ABANDON, COMPLETEAGENT/COMPLETECALLER,
EXITWITHTIMEOUT/EXITEMPTY/EXITWITHKEY.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from charterdesk.channels.phone.payload import CallEventIn, PayloadError

_EXT = re.compile(r"^(?:[A-Za-z0-9_]+/)?([0-9A-Za-z*#+]+)")


def extension_of(interface: str) -> str:
    """``PJSIP/101`` → ``101``; ``Local/101@from-queue/n`` → ``101``; ``SIP/101-0000002a`` → ``101``."""
    match = _EXT.match((interface or "").strip())
    return match.group(1)[:20] if match else ""


def _moment(message: Mapping[str, str], now: datetime) -> datetime:
    raw = message.get("Timestamp") or ""
    try:
        return datetime.fromtimestamp(float(raw), tz=UTC)
    except ValueError:
        return now


def from_ami(message: Mapping[str, str], *, now: datetime) -> list[CallEventIn]:
    """The call events one AMI event stands for (none for events that are not about queue calls)."""
    name = message.get("Event", "")
    call_id = (message.get("Uniqueid") or "").strip()
    if not call_id:
        return []
    at = _moment(message, now)
    queue = (message.get("Queue") or "")[:80]
    leg = (message.get("DestUniqueid") or message.get("Interface") or "")[:80]
    ext = extension_of(message.get("Interface") or message.get("DestCallerIDNum") or "")
    if name == "QueueCallerJoin":
        caller = (message.get("CallerIDNum") or "")[:80]
        line = (message.get("Exten") or "")[:40]
        return [
            CallEventIn(call_id, "offered", at, caller=caller, line=line, queue=queue),
            CallEventIn(call_id, "queued", at, queue=queue),
        ]
    if name in ("AgentCalled", "AgentRingNoAnswer", "AgentConnect") and leg:
        event = {"AgentCalled": "alerting", "AgentRingNoAnswer": "no_answer"}.get(name, "answered")
        return [CallEventIn(call_id, event, at, leg=leg, extension=ext, queue=queue)]
    if name == "AgentComplete":
        return [CallEventIn(call_id, "ended", at, reason=(message.get("Reason") or "")[:40])]
    if name == "QueueCallerAbandon":
        return [CallEventIn(call_id, "abandoned", at), CallEventIn(call_id, "ended", at)]
    return []


def from_queue_log(line: str) -> list[CallEventIn]:
    """The call events of one ``queue_log`` line; :class:`PayloadError` says what is wrong."""
    fields = line.rstrip("\r\n").split("|")
    if len(fields) < 5:
        raise PayloadError("line", "a queue_log line has at least 5 fields separated by '|'")
    epoch, call_id, queue, agent, event = fields[:5]
    data = [*fields[5:], "", "", "", ""]
    try:
        at = datetime.fromtimestamp(float(epoch), tz=UTC)
    except ValueError:
        raise PayloadError("epoch", f"{epoch!r} is not Unix seconds") from None
    if call_id in ("", "NONE"):
        return []  # queue-wide lines (QUEUESTART, ADDMEMBER, PAUSE …)
    call_id, queue = call_id[:200], queue[:80]
    ext = extension_of(agent)

    def number(raw: str, where: str) -> float:
        try:
            return float(raw or 0)
        except ValueError:
            raise PayloadError(where, f"{raw!r} is not a number") from None

    if event == "ENTERQUEUE":
        return [
            CallEventIn(call_id, "offered", at, caller=data[1][:80], queue=queue),
            CallEventIn(call_id, "queued", at, queue=queue),
        ]
    if event == "RINGNOANSWER":
        start = at - timedelta(milliseconds=number(data[0], "ringtime"))
        leg = f"{agent}@{start.timestamp():.3f}"[:80]
        return [
            CallEventIn(call_id, "alerting", start, leg=leg, extension=ext, queue=queue),
            CallEventIn(call_id, "no_answer", at, leg=leg, extension=ext, queue=queue),
        ]
    if event == "CONNECT":
        start = at - timedelta(seconds=number(data[2], "ringtime"))
        leg = (data[1] or f"{agent}@{start.timestamp():.3f}")[:80]
        return [
            CallEventIn(call_id, "alerting", start, leg=leg, extension=ext, queue=queue),
            CallEventIn(call_id, "answered", at, leg=leg, extension=ext, queue=queue),
        ]
    if event == "ABANDON":
        return [CallEventIn(call_id, "abandoned", at), CallEventIn(call_id, "ended", at)]
    if event.startswith("COMPLETE") or event.startswith("EXIT"):
        return [CallEventIn(call_id, "ended", at, reason=event.lower()[:40])]
    return []
