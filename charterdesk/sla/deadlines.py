"""Due, warning and "owed" moments of a commitment, from the policy and a calendar.  Pure: no
Django import; the same function serves the timers, the ``calendar due`` command and the tests.

The policy's duration words (``charterdesk.standard.durations``) mean:

* ``same working day`` — :meth:`BusinessCalendar.end_of_working_day` of the start;
* ``N working days`` — :meth:`BusinessCalendar.add_working_days`;
* ``N working hours`` / ``N working minutes`` — :meth:`BusinessCalendar.add_working_hours`;
* ``N hours`` / ``N minutes`` — wall-clock time;
* ``promised`` — the moment promised to the client (given by the caller).

``warn_before`` gives the warning moment (that much before the due moment, never before the start);
``margin`` gives the moment an action is owed (EMAIL-ACK: the acknowledgement): at once if the
start is outside working time, else ``margin`` before the due moment (never before the start).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from charterdesk.calendar.business import BusinessCalendar
from charterdesk.standard.durations import Duration, DurationUnit
from charterdesk.standard.policy import Commitment, Kind


class DeadlineError(ValueError):
    """The commitment has no deadline that can be computed from what was given."""


@dataclass(frozen=True, slots=True)
class Deadline:
    due_at: datetime
    warn_at: datetime | None = None
    owed_at: datetime | None = None


def after(calendar: BusinessCalendar, start: datetime, duration: Duration) -> datetime:
    """``start`` plus ``duration`` (not for ``promised``)."""
    unit = duration.unit
    if unit is DurationUnit.SAME_WORKING_DAY:
        return calendar.end_of_working_day(start)
    if unit is DurationUnit.WORKING_DAYS:
        return calendar.add_working_days(start, duration.amount)
    if unit is DurationUnit.WORKING_HOURS:
        return calendar.add_working_hours(start, timedelta(hours=duration.amount))
    if unit is DurationUnit.WORKING_MINUTES:
        return calendar.add_working_hours(start, timedelta(minutes=duration.amount))
    if unit is DurationUnit.HOURS:
        return start + timedelta(hours=duration.amount)
    if unit is DurationUnit.MINUTES:
        return start + timedelta(minutes=duration.amount)
    raise DeadlineError(f"'{duration}' is not a length of time")


def before(calendar: BusinessCalendar, moment: datetime, duration: Duration) -> datetime:
    """``moment`` minus ``duration`` (working or wall-clock time)."""
    unit = duration.unit
    if unit is DurationUnit.WORKING_HOURS:
        return calendar.add_working_hours(moment, -timedelta(hours=duration.amount))
    if unit is DurationUnit.WORKING_MINUTES:
        return calendar.add_working_hours(moment, -timedelta(minutes=duration.amount))
    if unit is DurationUnit.HOURS:
        return moment - timedelta(hours=duration.amount)
    if unit is DurationUnit.MINUTES:
        return moment - timedelta(minutes=duration.amount)
    raise DeadlineError(
        f"a warning or margin of '{duration}' cannot be counted back from a deadline"
    )


def has_deadline(commitment: Commitment) -> bool:
    return commitment.kind is Kind.DEADLINE and commitment.deadline is not None


def compute(
    commitment: Commitment,
    calendar: BusinessCalendar,
    started_at: datetime,
    *,
    promised: datetime | None = None,
) -> Deadline:
    """The deadline of ``commitment`` for a clock started at ``started_at`` (moments in UTC:
    aware datetimes sharing one zone compare by wall clock, wrong in the repeated DST hour)."""
    if not has_deadline(commitment) or commitment.deadline is None:
        raise DeadlineError(f"{commitment.id} is a {commitment.kind.value}, not a deadline")
    if commitment.deadline.unit is DurationUnit.PROMISED:
        if promised is None:
            raise DeadlineError(
                f"{commitment.id}'s deadline is the moment promised to the client; give that moment"
            )
        due = promised.astimezone(UTC)
    else:
        due = after(calendar, started_at, commitment.deadline).astimezone(UTC)
    started_at = started_at.astimezone(UTC)
    warn_at = None
    if commitment.warn_before is not None:
        warn_at = max(started_at, before(calendar, due, commitment.warn_before).astimezone(UTC))
        if warn_at >= due:
            warn_at = None
    owed_at = None
    if commitment.margin is not None:
        if not calendar.is_working(started_at):
            owed_at = started_at
        else:
            owed_at = min(
                due, max(started_at, before(calendar, due, commitment.margin).astimezone(UTC))
            )
    return Deadline(due_at=due, warn_at=warn_at, owed_at=owed_at)
