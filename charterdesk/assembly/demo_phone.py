"""The demo's phone: the demo exchange, ALTUM's two lines, desk phones for the consultants, and
calls over the last working days and today — each one made of the events an exchange reports
(offered, queued, alerting, answered, no_answer, abandoned, ended, recording) through the real
``call_events_record``, so rings, callback cases, timers and measures are the real code's.

Clearly demo: the exchange is ``demo-exchange`` (it signs nothing: its secret is random and never
shown), recordings are links under ``recordings.altum.example``; unknown callers have numbers of
the ``+371 2000 0xxx`` block.  Loaded once (the demo exchange's existence says so).

A working day's calls (``DAY``): most answered by the fourth ring, one answered late after a
second phone took over, one that rang out unanswered (missed) and one whose caller hung up
(abandoned), both of which open a callback case by themselves.  Answered calls get the
employee's call note (answered on the call, or a callback promised); past callbacks are made —
one of them late, one still owed — and today's are owed.  The last call of today has no note yet:
it pops up on Anna's desk for a few minutes."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from charterdesk.calendar import get_calendar
from charterdesk.cases.access import may_change
from charterdesk.cases.errors import CaseError
from charterdesk.cases.models import Case, Channel
from charterdesk.cases.status import Status
from charterdesk.channels.phone.models import Call, Callback, Exchange, PhoneLine
from charterdesk.channels.phone.notes import (
    Outcome,
    call_note_write,
    call_sample_record,
    callback_make,
)
from charterdesk.channels.phone.payload import CallEventIn
from charterdesk.channels.phone.services import call_events_record
from charterdesk.clients.models import Client
from charterdesk.core.validators import normalise_phone
from charterdesk.directory.models import Employee, Institution

DEMO_EXCHANGE = "demo-exchange"
RECORDINGS = "https://recordings.altum.example/demo"
EXTENSIONS = {"anna": "101", "janis": "102", "laura": "103", "ilze": "201", "peteris": "301"}
QUEUE = {"general": "informacija", "portal": "portals"}
#: Callers the desk does not know (they become clients with the number when a case is opened).
UNKNOWN = ["+37120000101", "+37120000102", "+37120000103", "+37120000104", "+37120000105"]
PAST_DAYS = 4  # working days before today with calls

# The topics of the call notes: (subject of the new case, what was asked and answered).
TOPICS = [
    (
        "Mājokļa garantijas nosacījumi",
        "Klients jautāja, vai garantiju var saņemt par otro mājokli. Paskaidroju nosacījumus "
        "un pieteikšanos portālā mans.altum.lv.",
    ),
    (
        "Starta aizdevuma dokumenti",
        "Jautāja, kādi dokumenti vajadzīgi starta aizdevumam. Nosaucu sarakstu, norādīju "
        "veidlapu altum.lv.",
    ),
    (
        "Pieteikuma statuss",
        "Jautāja par pieteikuma izskatīšanas gaitu. Jāpārbauda pie programmas vadītāja — "
        "apsolīju atzvanīt.",
    ),
    (
        "Mikrokredīta procentu likme",
        "Jautāja par mikrokredīta likmi un termiņu. Atbildēju uzreiz.",
    ),
    (
        "Piekļuve portālam mans.altum.lv",
        "Nevarēja pieslēgties portālam. Paskaidroju pieslēgšanos ar eParakstu.",
    ),
]


@dataclass(frozen=True)
class Script:
    """One call of a working day: ``minute`` after the day opens (today: minutes before now)."""

    minute: int
    line: str  # "general" or "portal"
    legs: tuple[tuple[str, float], ...]  # the phones that rang in turn: (extension, seconds)
    end: str  # "answered" (by the last leg), "missed" or "abandoned"
    note: str = ""  # "answered", "callback", "existing" (on an open case, answered), "" none
    caller: str = "known"  # "known" or "unknown"
    queue_seconds: float = 0.0
    talk_seconds: float = 240.0


DAY = [
    Script(12, "general", (("101", 7.5),), "answered", "answered"),
    Script(40, "general", (("102", 17.2),), "answered", "callback", queue_seconds=4),
    Script(75, "portal", (("102", 3.1),), "answered", "existing"),
    Script(110, "general", (("101", 12.4),), "answered", "answered", caller="unknown"),
    # Anna did not pick up; the queue rang Jānis, who answered on the sixth ring: late.
    Script(150, "general", (("101", 15.0), ("102", 11.6)), "answered", "answered", queue_seconds=9),
    Script(185, "general", (("103", 8.8),), "answered", "answered"),
    # Both phones rang out (30 s): missed, a callback case of its own.
    Script(220, "general", (("101", 15.0), ("103", 15.0)), "missed", caller="unknown"),
    Script(260, "portal", (("102", 19.6),), "answered", "answered"),
    # The caller hung up after two rings: abandoned, a callback case too.
    Script(300, "general", (("103", 8.0),), "abandoned", queue_seconds=22),
    Script(350, "general", (("101", 5.3),), "answered", "existing"),
    Script(410, "general", (("103", 14.1),), "answered", "answered"),
]
#: Today's calls (minutes before now): answered ones, a late one, a missed and an abandoned
#: one; the last is answered a few minutes ago and has no note yet (Anna's screen pop).
TODAY = [
    Script(150, "general", (("101", 6.2),), "answered", "answered"),
    Script(128, "general", (("102", 18.9),), "answered", "callback"),
    Script(104, "general", (("103", 12.0), ("101", 14.4)), "answered", "answered"),
    Script(80, "general", (("101", 15.0), ("102", 15.0)), "missed", caller="unknown"),
    Script(61, "portal", (("102", 4.0),), "answered", "existing"),
    Script(37, "general", (("103", 6.5),), "abandoned"),
    Script(6, "general", (("101", 9.7),), "answered", talk_seconds=150),
]


def _equip(staff: dict[str, Employee]) -> dict[str, Employee]:
    """Desk phones: each demo employee an extension (kept if one is set); by extension."""
    for username, extension in EXTENSIONS.items():
        employee = staff.get(username)
        if employee is not None and not employee.extension:
            employee.extension = extension
            employee.save(update_fields=["extension"])
    return {e.extension: e for e in staff.values() if e.extension}


def _lines() -> dict[str, PhoneLine]:
    institution = Institution.objects.first()
    general = normalise_phone(institution.general_phone if institution else "+37167774010")
    portal = normalise_phone(
        (institution.portal_support_phone if institution else "") or "+37167774118"
    )
    rows = {
        "general": (general, "Informatīvais tālrunis", "General information line", True),
        "portal": (portal, "Portāla mans.altum.lv atbalsts", "Client portal support", False),
    }
    return {
        key: PhoneLine.objects.get_or_create(
            number=number, defaults={"name_lv": lv, "name_en": en, "records_calls": records}
        )[0]
        for key, (number, lv, en, records) in rows.items()
    }


def _events(
    call_id: str, s: Script, t0: datetime, caller: str, line: PhoneLine
) -> list[CallEventIn]:
    """What the exchange reports of one call, in its order."""
    out = [
        CallEventIn(call_id, "offered", t0, caller=caller, line=line.number, queue=QUEUE[s.line])
    ]
    t = t0 + timedelta(seconds=0.4)
    if s.queue_seconds:
        out.append(CallEventIn(call_id, "queued", t, queue=QUEUE[s.line]))
        t += timedelta(seconds=s.queue_seconds)
    for i, (ext, seconds) in enumerate(s.legs):
        leg = f"{call_id}-{i + 1}"
        out.append(CallEventIn(call_id, "alerting", t, leg=leg, extension=ext))
        t += timedelta(seconds=seconds)
        last = i == len(s.legs) - 1
        if last and s.end == "answered":
            out.append(CallEventIn(call_id, "answered", t, leg=leg, extension=ext))
        elif last and s.end == "abandoned":
            out.append(CallEventIn(call_id, "abandoned", t, reason="caller_cancel"))
        else:
            out.append(CallEventIn(call_id, "no_answer", t, leg=leg, reason="timeout"))
            t += timedelta(seconds=0.5)
    if s.end == "answered":
        t += timedelta(seconds=s.talk_seconds)
        if line.records_calls:
            url = f"{RECORDINGS}/{call_id}.ogg"
            out.append(CallEventIn(call_id, "recording", t, recording_url=url))
    out.append(CallEventIn(call_id, "ended", t))
    return out


def _working_days(now: datetime) -> list[date]:
    """The ``PAST_DAYS`` working days before today, oldest first."""
    calendar = get_calendar()
    day, found = timezone.localtime(now).date(), list[date]()
    while len(found) < PAST_DAYS:
        day -= timedelta(days=1)
        if calendar.day(day).working:
            found.append(day)
    return found[::-1]


def _note(call: Call, s: Script, by: Employee, topic: tuple[str, str], at: datetime) -> None:
    """The employee's call note, written two minutes after the call ended: on the caller's open
    phone case from before the call (``existing``), else on a new case."""
    subject, body = topic
    case = None
    if s.note == "existing" and call.client_id is not None:
        case = next(
            (
                c
                for c in Case.objects.filter(
                    client_id=call.client_id,
                    channel=Channel.PHONE,  # (a call message on an e-mail case starts EMAIL-ACK)
                    status__in=[Status.NEW, Status.OPEN, Status.WAITING],
                    confidential=False,
                    created_at__lt=call.offered_at,
                ).order_by("-created_at")
                if may_change(by, c)
            ),
            None,
        )
    callback = s.note == "callback"
    call_note_write(
        call=call,
        by=by,
        body=body,
        outcome=Outcome.CALLBACK if callback else Outcome.ANSWERED,
        case=case,
        subject=subject,
        callback_by=get_calendar().add_working_hours(at, 2) if callback else None,
        at=at,
    )


def _callbacks(now: datetime, by: Employee, today: date) -> None:
    """Callbacks of past days made: on time, one late; the latest one still owed."""
    past = [
        cb
        for cb in Callback.objects.filter(made_at__isnull=True).select_related("call")
        if timezone.localtime(cb.promised_at).date() < today
    ]
    for i, cb in enumerate(past):
        if i == len(past) - 1:
            break  # the latest one is still owed (overdue)
        late = i == 1
        at = cb.due_at + timedelta(hours=1) if late else cb.promised_at + timedelta(minutes=50)
        if at >= now - timedelta(minutes=5):
            continue
        note = (
            "Atzvanīju; atbildēju uz jautājumu par pieteikuma dokumentiem."
            if not late
            else "Atzvanīju ar nokavēšanos (rīta rindā nesanācām); atbildēju uz jautājumu."
        )
        callback_make(callback=cb, by=by, note=note, at=at)


def load_phone_demo(staff: dict[str, Employee], now: datetime, *, seed: int = 2026) -> None:
    """The demo's exchange, lines, desk phones and calls (once)."""
    if Exchange.objects.filter(name=DEMO_EXCHANGE).exists():
        return
    # Repeatable demo data, no secret.
    rng = random.Random(seed)  # nosec B311
    exchange = Exchange.objects.create(name=DEMO_EXCHANGE, secret=secrets.token_urlsafe(32))
    phones = _equip(staff)
    lines = _lines()
    known = list(Client.objects.exclude(phone="").order_by("pk"))
    if not known or "101" not in phones:
        return
    riga_today = timezone.localtime(now).date()
    days: list[tuple[str, list[tuple[Script, datetime]]]] = []
    for day in _working_days(now):
        opens = get_calendar().day(day).intervals[0][0]
        start = timezone.make_aware(datetime.combine(day, opens))
        days.append((f"{day:%Y%m%d}", [(s, start + timedelta(minutes=s.minute)) for s in DAY]))
    days.append((f"{riga_today:%Y%m%d}", [(s, now - timedelta(minutes=s.minute)) for s in TODAY]))
    n = 0
    for d, (stamp, calls) in enumerate(days):
        for number, (s, t0) in enumerate(calls, start=1):
            t0 = t0 + timedelta(seconds=rng.randint(0, 50))
            if s.caller == "known":
                caller = known[n % len(known)].phone
                n += 1
            else:
                caller = UNKNOWN[(2 * d + number) % len(UNKNOWN)]
            call_id = f"demo-{stamp}-{number:02d}"
            line = lines[s.line]
            events = _events(call_id, s, t0, caller, line)
            if events[-1].at > now - timedelta(minutes=1):
                continue  # not over yet
            recorded = call_events_record(exchange=exchange, events=events, source="demo")
            call = Call.objects.get(pk=recorded[0].call.pk)
            if s.note and call.answered_by is not None:
                topic = TOPICS[(number + n) % len(TOPICS)]
                _note(call, s, call.answered_by, topic, events[-1].at + timedelta(minutes=2))
    _callbacks(now, phones.get("103") or phones["101"], riga_today)
    # The team lead listened to three of the week's calls [PHONE-IDENTIFY].
    lead = phones.get("103")
    if lead is not None:
        answered = Call.objects.filter(answered_at__isnull=False, note_written_at__isnull=False)
        for i, call in enumerate(answered.order_by("offered_at")[:3]):
            try:
                call_sample_record(
                    call=call,
                    by=lead,
                    greeting_given=True,
                    answer_complete=i != 1,
                    note="" if i != 1 else "Nenosauca pieteikuma termiņu.",
                )
            except CaseError:
                continue
