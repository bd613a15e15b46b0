"""Time left on a case's deadline, as the inbox and the case page show it.

The SLA engine (``charterdesk.sla``) knows each open timer's due moment; the time left is counted
in working time on the case office's calendar (cached per process) and coloured by the timer's
own warning moment.  The desk asks for the timers of a whole page in one query.  A case whose
``next_due_at`` is set without a timer (set by hand, or data imported) falls back to wall-clock
time, marked as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from charterdesk.cases.models import Case
from charterdesk.sla.selectors import Urgency, open_timers, urgency, working_time_left

# Without a timer's own warning threshold, a deadline this close is shown amber.
DEFAULT_WARN = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class TimeLeft:
    due_at: datetime
    seconds: int  # negative once breached
    breached: bool
    close: bool
    working: bool  # True: working time from the SLA engine; False: wall-clock from next_due_at
    commitment: str = ""  # the commitment ID of the next timer, when known

    @property
    def state(self) -> str:
        return "breached" if self.breached else "close" if self.close else "ok"


def _fallback(case: Case, now: datetime) -> TimeLeft | None:
    if case.next_due_at is None:
        return None
    left = case.next_due_at - now
    return TimeLeft(
        due_at=case.next_due_at,
        seconds=int(left.total_seconds()),
        breached=left.total_seconds() < 0,
        close=timedelta(0) <= left <= DEFAULT_WARN,
        working=False,
    )


def time_left(cases: Sequence[Case], now: datetime) -> dict[int, TimeLeft]:
    """The next deadline of each case in ``cases`` that has one (one query at most)."""
    result: dict[int, TimeLeft] = {}
    if not cases:
        return result
    for timer in open_timers([c.pk for c in cases]):  # soonest first
        if timer.case_id in result:
            continue
        state = urgency(timer, now)
        if state is Urgency.DONE:
            continue
        left = working_time_left(timer, now)
        result[timer.case_id] = TimeLeft(
            due_at=timer.due_at,
            seconds=int(left.total_seconds()),
            breached=state is Urgency.BREACHED,
            close=state is Urgency.CLOSE,
            working=True,
            commitment=timer.commitment_id,
        )
    for case in cases:
        if case.pk not in result:
            info = _fallback(case, now)
            if info is not None:
                result[case.pk] = info
    return result
