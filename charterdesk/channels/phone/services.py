"""Writes of the phone channel: call events in, call notes, callbacks, samples.

``call_event_record`` is the one door for every exchange adapter (the signed API, the AMI
listener, the ``queue_log`` import): it stores the event once per (call, event, leg), then folds
all of the call's events into its moments, so duplicates, late and out-of-order events end in the
same call.  A call that ends unanswered opens a callback case by itself [PHONE-ONE-CONTACT].  Case
writes go through the case services (``case_open``, ``case_add_message``, ``case_promise_callback``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from charterdesk.calendar import get_calendar
from charterdesk.cases.errors import CaseError
from charterdesk.cases.models import Channel, Direction, MessageKind
from charterdesk.cases.services import (
    case_add_message,
    case_open,
    case_promise_callback,
)
from charterdesk.channels.phone import lookups
from charterdesk.channels.phone.lookups import SigningExchange
from charterdesk.channels.phone.models import (
    ENDED_UNANSWERED,
    Call,
    Callback,
    CallEvent,
    CallLeg,
    CallState,
    Exchange,
)
from charterdesk.channels.phone.payload import CallEventIn
from charterdesk.clients.models import Client
from charterdesk.clients.services import client_create
from charterdesk.core.validators import format_phone, normalise_phone
from charterdesk.sla.deadlines import after
from charterdesk.standard import get_policy


class UnknownCall(LookupError):
    """An event for a call the desk has not been offered (its ``offered`` has not arrived)."""


@dataclass(frozen=True, slots=True)
class Recorded:
    call: Call
    stored: bool  # False: the same (call, event, leg) was stored before


def phone_e164(raw: str) -> str:
    """The caller's number in E.164 however the exchange wrote it (``0037129…``, ``29 …``,
    ``+371-29…``); ``""`` for an anonymous or unusable number."""
    cleaned = (raw or "").strip()
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    cleaned = "".join(c for c in cleaned if c.isdigit() or c == "+")
    if not cleaned:
        return ""
    try:
        return normalise_phone(cleaned)
    except ValidationError:
        return ""


def client_for_number(e164: str) -> Client | None:
    if not e164:
        return None
    return Client.objects.filter(phone=e164).order_by("pk").first()


# --- call events --------------------------------------------------------------------------------

# What is written of a leg when a call is folded (all of it: the fold recomputes every leg).
_LEG_FIELDS = ("extension", "employee", "alerting_at", "answered_at", "ended_at", "end_reason")


def call_events_record(
    *, exchange: Exchange | SigningExchange, events: Sequence[CallEventIn], source: str = "api"
) -> list[Recorded]:
    """Record a batch atomically: all of it or, on a refusal, nothing.

    The statements do not grow with the batch: the offered calls are created in one insert
    (``ON CONFLICT DO NOTHING``), every call of the batch is locked in one ``SELECT … FOR UPDATE``
    and its stored events read in one more; the new events are inserted in one statement, the legs
    of all touched calls upserted in one, and the calls updated (one ``UPDATE``, or one
    ``bulk_update`` for several).  A batch of duplicates only reads.  Each call touched is folded
    once, from all its events, after the batch's events are stored."""
    if not events:
        return []
    with transaction.atomic():
        calls = _lock_calls(exchange, events)
        stored: dict[int, list[CallEvent]] = {c.pk: [] for c in calls.values()}
        for row in CallEvent.objects.filter(call_id__in=list(stored)).order_by():
            stored[row.call_id].append(row)
        for rows in stored.values():
            rows.sort(key=lambda r: (r.at, r.pk))  # the model's order, without the SQL sort
        now = timezone.now()
        results, new = [], []
        for event in events:
            call = calls[event.call_id]
            rows = stored[call.pk]
            if any(r.event == event.event and r.leg == event.leg for r in rows):
                results.append(Recorded(call, stored=False))
                continue
            row = CallEvent(
                call=call,
                event=event.event,
                leg=event.leg,
                at=event.at,
                received_at=now,
                source=source,
                data=event.data(),
            )
            rows.append(row)
            new.append(row)
            results.append(Recorded(call, stored=True))
        if not new:
            return results
        CallEvent.objects.bulk_create(new)
        touched = [c for c in calls.values() if any(r.call_id == c.pk for r in new)]
        legs, new_callers = [], []
        for call in touched:
            call_legs, caller_changed = _fold(call, stored[call.pk])
            legs += call_legs
            if caller_changed:
                new_callers.append(call)
        _match_clients(new_callers)
        if legs:
            CallLeg.objects.bulk_create(
                legs,
                update_conflicts=True,
                unique_fields=["call", "leg"],
                update_fields=list(_LEG_FIELDS),
            )
        _save_calls(touched)
        for call in touched:
            _after_fold(call)
        return results


def call_event_record(
    *, exchange: Exchange | SigningExchange, event: CallEventIn, source: str = "api"
) -> Recorded:
    return call_events_record(exchange=exchange, events=[event], source=source)[0]


def _lock_calls(
    exchange: Exchange | SigningExchange, events: Sequence[CallEventIn]
) -> dict[str, Call]:
    """The batch's calls by call id, each row locked until the end of the transaction.  A call is
    created by its ``offered`` event anywhere in the batch; an event for a call that is neither
    stored nor offered in the batch refuses the whole batch (:class:`UnknownCall`)."""
    offers: dict[str, CallEventIn] = {}
    for event in events:
        if event.event == "offered":
            offers.setdefault(event.call_id, event)
    if offers:
        # One statement whether or not another worker created it meanwhile.
        Call.objects.bulk_create(
            [
                Call(
                    exchange_id=exchange.pk,
                    external_id=call_id,
                    offered_at=event.at,
                    state=CallState.OFFERED,
                )
                for call_id, event in sorted(offers.items())
            ],
            ignore_conflicts=True,
        )
    ids = sorted({event.call_id for event in events})
    locked = Call.objects.select_for_update().filter(exchange_id=exchange.pk)
    if len(ids) == 1:
        locked = locked.filter(external_id=ids[0]).order_by()
    else:
        locked = locked.filter(external_id__in=ids).order_by("external_id")  # one lock order
    calls = {c.external_id: c for c in locked}
    for event in events:
        if event.call_id not in calls:
            raise UnknownCall(
                f"unknown call id {event.call_id!r} at exchange {exchange.name}: its 'offered' "
                "event has not been received (send it first, or retry this one)"
            )
    return calls


# The fields a fold may change.
_CALL_FIELDS = (
    "offered_at", "queued_at", "first_alert_at", "answered_at", "answered_leg",
    "transferred_at", "voicemail_at", "abandoned_at", "ended_at", "queue", "line_number",
    "line", "caller_raw", "caller", "client", "recordings", "state", "answered_extension",
    "answered_by", "updated_at",
)  # fmt: skip


def _save_calls(calls: list[Call]) -> None:
    """One ``UPDATE`` of the folded calls: for several, an upsert on the primary key (every row
    exists and is locked, so it always takes the update branch) — a multi-row update that costs
    one statement and little to compile, unlike ``bulk_update``'s ``CASE`` per field and row."""
    if len(calls) == 1:
        calls[0].save(update_fields=_CALL_FIELDS)
    elif calls:
        Call.objects.bulk_create(
            calls, update_conflicts=True, unique_fields=["id"], update_fields=list(_CALL_FIELDS)
        )


def _after_fold(call: Call) -> None:
    if call.state in ENDED_UNANSWERED and call.callback_case_id is None and call.caller:
        _open_callback_case(call)


def _earliest(values: list[datetime]) -> datetime | None:
    return min(values) if values else None


def _match_clients(calls: list[Call]) -> None:
    """The client of each call whose caller changed, for all of them in one query (the first
    client with the number, as ``client_for_number``)."""
    numbers = {c.caller for c in calls if c.caller}
    found: dict[str, Client] = {}
    if numbers:
        for client in Client.objects.filter(phone__in=numbers).order_by("pk"):
            found.setdefault(client.phone, client)
    for call in calls:
        call.client = found.get(call.caller) if call.caller else None


def _fold(call: Call, events: list[CallEvent]) -> tuple[list[CallLeg], bool]:
    """Recompute the call's moments and legs from all its events (order does not matter).
    Returns the legs (the caller upserts them and saves the call) and whether the caller's number
    changed (its client is then matched by ``_match_clients``)."""
    by_kind: dict[str, list[CallEvent]] = {}
    for e in events:
        by_kind.setdefault(e.event, []).append(e)

    def moments(kind: str) -> list[datetime]:
        return [e.at for e in by_kind.get(kind, [])]

    def first_value(key: str, kinds: tuple[str, ...] = ()) -> str:
        for e in sorted(events, key=lambda x: x.at):
            if (not kinds or e.event in kinds) and e.data.get(key):
                return str(e.data[key])
        return ""

    offered = moments("offered")
    call.offered_at = _earliest(offered) or _earliest([e.at for e in events]) or call.offered_at
    call.queued_at = _earliest(moments("queued"))
    call.first_alert_at = _earliest(moments("alerting"))
    answers = sorted(by_kind.get("answered", []), key=lambda e: e.at)
    call.answered_at = answers[0].at if answers else None
    call.answered_leg = answers[0].leg if answers else ""
    call.transferred_at = _earliest(moments("transferred"))
    call.voicemail_at = _earliest(moments("voicemail"))
    call.abandoned_at = _earliest(moments("abandoned"))
    ends = moments("ended")
    call.ended_at = max(ends) if ends else None
    call.queue = first_value("queue")
    line_raw = first_value("line", ("offered",)) or first_value("line")
    line_e164 = phone_e164(line_raw)
    if (line_e164 or line_raw) != call.line_number:
        call.line_number = line_e164 or line_raw
        call.line_id = lookups.line_id(line_e164) if line_e164 else None
    caller_raw = first_value("caller", ("offered",)) or first_value("caller")
    caller_changed = caller_raw != call.caller_raw
    if caller_changed:
        call.caller_raw = caller_raw
        call.caller = phone_e164(caller_raw)
    call.recordings = sorted({str(e.data["recording_url"]) for e in by_kind.get("recording", [])})
    if call.answered_at is not None:
        call.state = CallState.COMPLETED if call.ended_at else CallState.ANSWERED
    elif call.abandoned_at is not None:
        call.state = CallState.ABANDONED
    elif call.voicemail_at is not None:
        call.state = CallState.VOICEMAIL
    elif call.ended_at is not None:
        call.state = CallState.MISSED
    elif call.first_alert_at is not None:
        call.state = CallState.RINGING
    elif call.queued_at is not None:
        call.state = CallState.QUEUED
    else:
        call.state = CallState.OFFERED

    # Legs: one per phone that rang.
    legs: dict[str, dict[str, object]] = {}
    for e in events:
        if not e.leg or e.event not in ("alerting", "answered", "no_answer", "transferred"):
            continue
        leg = legs.setdefault(e.leg, {"extension": "", "alerting": [], "answered": [], "ended": []})
        if e.data.get("extension") and not leg["extension"]:
            leg["extension"] = str(e.data["extension"])
        key = {"alerting": "alerting", "answered": "answered"}.get(e.event, "ended")
        leg[key].append(e.at)  # type: ignore[attr-defined]
        if e.event == "no_answer":
            leg["reason"] = str(e.data.get("reason") or "no_answer")
    answered_ext = ""
    extensions = {str(v["extension"] or k)[:20] for k, v in legs.items()}
    if answers and answers[0].data.get("extension"):
        extensions.add(str(answers[0].data["extension"])[:20])
    employees = lookups.employees_by_extension(extensions) if extensions else {}
    rows = []
    for key, v in legs.items():
        ext = str(v["extension"] or key)[:20]
        own_end = _earliest(v["ended"])  # type: ignore[arg-type]
        answered_at = _earliest(v["answered"])  # type: ignore[arg-type]
        rows.append(
            CallLeg(
                call=call,
                leg=key,
                extension=ext,
                employee_id=employees.get(ext),
                alerting_at=_earliest(v["alerting"]),  # type: ignore[arg-type]
                answered_at=answered_at,
                ended_at=own_end or (call.alerting_end if answered_at is None else call.ended_at),
                end_reason=str(v.get("reason", ""))[:40],
            )
        )
        if key == call.answered_leg:
            answered_ext = ext
    call.answered_extension = answered_ext or (
        str(answers[0].data.get("extension", ""))[:20] if answers else ""
    )
    call.answered_by_id = (
        employees.get(call.answered_extension) if call.answered_extension else None
    )
    return rows, caller_changed


def callback_due(*, start: datetime, office: object = None) -> datetime:
    """The latest callback moment the standard allows: the PHONE-ONE-CONTACT duration from
    ``start`` on the business calendar."""
    commitment = get_policy()["PHONE-ONE-CONTACT"]
    if commitment.deadline is None:
        raise CaseError("PHONE-ONE-CONTACT has no deadline in the policy")
    return after(get_calendar(office), start, commitment.deadline)


def callback_latest(*, start: datetime | None = None) -> datetime:
    return callback_due(start=start or timezone.now())


def _open_callback_case(call: Call) -> None:
    """A missed or abandoned call owes a callback: a case of its own, with the timer, from the
    moment the caller stopped hearing the ringing tone (not when the event reached us: a call
    imported from yesterday's ``queue_log`` owed its callback since yesterday)."""
    now = min(call.alerting_end or timezone.now(), timezone.now())
    client = call.client or client_create(name=format_phone(call.caller), phone=call.caller)
    language = client.language or "lv"
    with translation.override(language):
        subject = _("Callback: unanswered call from %(number)s") % {
            "number": format_phone(call.caller)
        }
        body = _call_summary(call)
    case = case_open(client=client, channel=Channel.PHONE, subject=subject, at=now)
    case_add_message(
        case=case,
        direction=Direction.INBOUND,
        kind=MessageKind.CALL,
        body=body,
        sender=call.caller,
        meta={"call": call.pk, "state": call.state},
        at=now,
    )
    due = callback_due(start=now)
    case_promise_callback(case=case, due=due, call_ref=str(call.pk), at=now)
    Callback.objects.create(case=case, call=call, promised_at=now, due_at=due, automatic=True)
    Call.objects.filter(pk=call.pk).update(callback_case=case, client=client)
    call.callback_case, call.client = case, client


def _call_summary(call: Call) -> str:
    from charterdesk.channels.phone.selectors import call_figures

    figures = call_figures(call)
    moment = timezone.localtime(call.offered_at).strftime("%d.%m.%Y %H:%M:%S")
    parts = [
        _("Call from %(number)s at %(moment)s: %(state)s.")
        % {
            "number": format_phone(call.caller) or call.caller_raw,
            "moment": moment,
            "state": call.get_state_display(),
        }
    ]
    if figures.rings is not None:
        parts.append(figures.rings_text)
    if figures.queue_seconds:
        parts.append(figures.queue_text)
    return " ".join(parts)
