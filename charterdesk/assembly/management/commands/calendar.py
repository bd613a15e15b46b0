"""``charterdesk calendar due`` and ``charterdesk calendar days``: ask the business calendar.

    charterdesk calendar due --commitment EMAIL-REPLY-1BD --received 2025-05-01T10:00:00+03:00 [--office CODE]
    charterdesk calendar days --year 2026 [--office CODE] [--only notable]

``due`` prints the due moment as ISO 8601 in Europe/Riga (with ``--all``: also the warning and
owed moments, one ``name=value`` per line).  Bad input gets one line on stderr and exit status 2.
A management command is a face like the desk: it may read the policy (``standard``) and use the
SLA engine's pure deadline function.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from charterdesk.calendar.business import BusinessCalendar, CalendarError
from charterdesk.directory.calendars import UnknownOffice, office_calendar

KIND_WORDS = {"working": "working", "shortened": "shortened", "off": "day off"}


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def _parse_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _bad(
            f"--received {text!r} is not an ISO 8601 time; write e.g. 2025-05-01T10:00:00+03:00"
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _bad(f"--received {text!r} has no UTC offset; add one, e.g. {text}+03:00")
    return moment


class Command(BaseCommand):
    help = "Ask the business calendar: a commitment's due moment, or a year's working days."
    requires_system_checks: list[str] = []  # a quick question; no need to check the whole project

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        due = sub.add_parser("due", help="print the due moment of a commitment (ISO 8601)")
        due.add_argument("--commitment", required=True, help="commitment ID, e.g. EMAIL-REPLY-1BD")
        due.add_argument("--received", required=True, help="when the clock starts, with offset")
        due.add_argument(
            "--office", help="office code (default: the institution's default calendar)"
        )
        due.add_argument("--promised", help="for a 'promised' deadline: the promised moment")
        due.add_argument(
            "--all", action="store_true", help="also print the warning and owed moments"
        )
        days = sub.add_parser(
            "days", help="list a year's working days, days off and shortened days"
        )
        days.add_argument("--year", type=int, required=True)
        days.add_argument(
            "--office", help="office code (default: the institution's default calendar)"
        )
        days.add_argument(
            "--only",
            choices=["all", "notable"],
            default="all",
            help="'notable': only days off on weekdays, worked weekend days and shortened days",
        )

    def _calendar(self, office: str | None) -> BusinessCalendar:
        try:
            return office_calendar(office)
        except UnknownOffice:
            raise _bad(f"--office {office!r}: there is no office with that code") from None

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "due":
                self._due(options)
            else:
                self._days(options)
        except DatabaseError as exc:
            first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise CommandError(
                f"cannot read the calendar from the database ({first_line}); run 'charterdesk migrate'"
            ) from None

    def _due(self, options: dict[str, Any]) -> None:
        from charterdesk.sla.deadlines import DeadlineError, compute, has_deadline
        from charterdesk.standard import get_policy

        policy = get_policy()
        cid = options["commitment"]
        if cid not in policy:
            known = ", ".join(sorted(c.id for c in policy.commitments.values() if has_deadline(c)))
            raise _bad(f"--commitment {cid!r} is not in the policy; deadlines: {known}")
        commitment = policy[cid]
        if not has_deadline(commitment):
            raise _bad(f"--commitment {cid} is a {commitment.kind.value}, it has no due moment")
        received = _parse_moment(options["received"])
        promised = _parse_moment(options["promised"]) if options.get("promised") else None
        calendar = self._calendar(options.get("office"))
        try:
            deadline = compute(commitment, calendar, received, promised=promised)
        except (DeadlineError, CalendarError) as exc:
            raise _bad(f"--commitment {cid}: {exc}") from None
        tz = calendar.tz
        if not options["all"]:
            self.stdout.write(deadline.due_at.astimezone(tz).isoformat())
            return
        self.stdout.write(f"due={deadline.due_at.astimezone(tz).isoformat()}")
        for name, value in (("warn", deadline.warn_at), ("owed", deadline.owed_at)):
            self.stdout.write(f"{name}={value.astimezone(tz).isoformat() if value else ''}")

    def _days(self, options: dict[str, Any]) -> None:
        year = options["year"]
        if not 1991 <= year <= 2100:
            raise _bad(f"--year {year}: give a year between 1991 and 2100")
        calendar = self._calendar(options.get("office"))
        totals: dict[str, int] = {"working": 0, "shortened": 0, "off": 0}
        seconds = 0
        for plan in calendar.days(year):
            totals[plan.kind] += 1
            seconds += int(plan.duration.total_seconds())
            weekend = plan.date.weekday() >= 5
            notable = plan.kind == "shortened" or (plan.kind == "off") != weekend or plan.name
            if options["only"] == "notable" and not notable:
                continue
            hours = ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in plan.intervals) or "—"
            line = f"{plan.date:%Y-%m-%d} {plan.date:%a} {KIND_WORDS[plan.kind]:<9} {hours:<13}"
            self.stdout.write(f"{line} {plan.name}".rstrip())
        self.stdout.write(
            f"# {year}: {totals['working'] + totals['shortened']} working days "
            f"({totals['shortened']} shortened), {totals['off']} days off, "
            f"{seconds / 3600:g} working hours"
        )
