"""Import an Asterisk ``queue_log`` file: history and reconciliation after an outage.

Line by line (bounded memory), each line's events through ``call_event_record`` with
``source="queue_log"``: a second import, or events the AMI listener already recorded, change
nothing.  A bad line is reported with its number and reason and skipped; an event for a call whose
ENTERQUEUE is not in the file is reported as unknown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from charterdesk.channels.phone.adapters.asterisk import from_queue_log
from charterdesk.channels.phone.models import Exchange
from charterdesk.channels.phone.payload import PayloadError


@dataclass
class ImportReport:
    lines: int = 0
    stored: int = 0
    duplicates: int = 0
    problems: list[str] = field(default_factory=list)


def queue_log_import(*, exchange: Exchange, lines: Iterable[str]) -> ImportReport:
    from charterdesk.channels.phone.services import UnknownCall, call_event_record

    report = ImportReport()
    for number, line in enumerate(lines, start=1):
        report.lines += 1
        if not line.strip():
            continue
        try:
            events = from_queue_log(line)
        except PayloadError as exc:
            report.problems.append(f"line {number}: {exc}")
            continue
        for event in events:
            try:
                result = call_event_record(exchange=exchange, event=event, source="queue_log")
            except UnknownCall:
                report.problems.append(
                    f"line {number}: call {event.call_id} has no ENTERQUEUE before it; skipped"
                )
                break
            if result.stored:
                report.stored += 1
            else:
                report.duplicates += 1
    return report
