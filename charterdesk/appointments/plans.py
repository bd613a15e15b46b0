"""Consultants' plans as the slot search reads them: weekly plans, dated exceptions and leave,
cached per process under the plan revision token (``plans_changed`` renews it)."""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from django.utils import timezone

from charterdesk.appointments.models import (
    ConsultantException,
    ConsultantLeave,
    ConsultantPlan,
    PlanRevision,
)
from charterdesk.appointments.slots import Window


@dataclass
class Plans:
    weekly: dict[int, list[tuple[int, int, time, time, date | None, date | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    exceptions: dict[tuple[int, date], list[tuple[int | None, time | None, time | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    leave: dict[int, list[tuple[date, date]]] = field(default_factory=lambda: defaultdict(list))
    consultants: tuple[int, ...] = ()  # whose plans these are, at which offices (None: all)
    offices: tuple[int, ...] | None = None

    def key(self) -> tuple[object, ...]:
        """What a day's plans depend on besides the plan revision's token and the date."""
        return (self.consultants, self.offices)

    def for_day(self, day: date, weekday: int) -> dict[tuple[int, int], list[Window]]:
        """(consultant, office) → the consultant's windows there on ``day``, whose weekly plan is
        that of ``weekday`` (a Saturday worked in exchange follows the plan of the moved day)."""
        out: dict[tuple[int, int], list[Window]] = defaultdict(list)
        replaced = {emp for (emp, d) in self.exceptions if d == day}
        for emp, office, opens, closes, valid_from, valid_until in self.weekly.get(weekday, ()):
            if emp in replaced:
                continue
            if (valid_from and day < valid_from) or (valid_until and day > valid_until):
                continue
            out[(emp, office)].append((opens, closes))
        for emp in replaced:
            for ex_office, ex_starts, ex_ends in self.exceptions[(emp, day)]:
                if ex_office is not None and ex_starts is not None and ex_ends is not None:
                    out[(emp, ex_office)].append((ex_starts, ex_ends))
        for key in [k for k in out if self._on_leave(k[0], day)]:
            del out[key]
        return out

    def planned(self) -> set[int]:
        """The consultants with a weekly plan or an exception at one of the offices read."""
        out = {row[0] for rows in self.weekly.values() for row in rows}
        out.update(emp for (emp, _day), rows in self.exceptions.items() if any(r[0] for r in rows))
        return out

    def _on_leave(self, emp: int, day: date) -> bool:
        return any(first <= day <= last for first, last in self.leave.get(emp, ()))


PlanRow = tuple[int, int, time, time, date | None, date | None]
ExceptionRow = tuple[int, date, int | None, time | None, time | None]
LeaveRow = tuple[int, date, date]


@dataclass
class _PlanRows:
    """Every weekly plan row by weekday, and the exceptions and leave from ``since`` on."""

    since: date
    weekly: dict[int, list[PlanRow]]
    exceptions: list[ExceptionRow]
    leave: list[LeaveRow]


_weekly_cache: dict[str, _PlanRows] = {}
# The slot search's open windows per day of its last few searches (``candidates.Days``), which
# go with the plans: emptied with them.
days_cache: OrderedDict[tuple[object, ...], Any] = OrderedDict()
days_lock = threading.Lock()


def _forget_days() -> None:
    with days_lock:
        days_cache.clear()


def plans_changed(**kwargs: Any) -> None:
    """Signal receiver: a plan, exception or leave was saved or deleted."""
    PlanRevision.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})
    _weekly_cache.clear()
    _forget_days()


def _exception_rows(**where: Any) -> list[ExceptionRow]:
    return list(
        ConsultantException.objects.filter(**where).values_list(
            "employee_id", "date", "office_id", "starts", "ends"
        )
    )


def _leave_rows(**where: Any) -> list[LeaveRow]:
    return list(
        ConsultantLeave.objects.filter(**where).values_list("employee_id", "first_day", "last_day")
    )


def _plan_rows(token: str) -> _PlanRows:
    """The plans, cached per process until the plan revision changes (one query to learn it):
    the weekly rows, and the exceptions and leave from yesterday on (the past ones are not
    searched: a question about an earlier day reads them from the database)."""
    cached = _weekly_cache.get(token)
    if cached is None:
        since = timezone.localdate() - timedelta(days=1)
        weekly: dict[int, list[PlanRow]] = defaultdict(list)
        for r in ConsultantPlan.objects.values_list(
            "employee_id", "office_id", "weekday", "starts", "ends", "valid_from", "valid_until"
        ):
            weekly[r[2]].append((r[0], r[1], r[3], r[4], r[5], r[6]))
        cached = _PlanRows(
            since, weekly, _exception_rows(date__gte=since), _leave_rows(last_day__gte=since)
        )
        _weekly_cache.clear()
        _forget_days()
        _weekly_cache[token] = cached
    return cached


def load_plans(
    token: str, consultant_ids: list[int], office_ids: set[int] | None, first: date, last: date
) -> Plans:
    """The weekly plans, exceptions and leave of [first, last] of the wanted consultants at the
    wanted offices."""
    plans = Plans(
        consultants=tuple(sorted(consultant_ids)),
        offices=None if office_ids is None else tuple(sorted(office_ids)),
    )
    wanted = set(consultant_ids)
    cached = _plan_rows(token)
    for weekday, rows in cached.weekly.items():
        plans.weekly[weekday] = [
            r for r in rows if r[0] in wanted and (office_ids is None or r[1] in office_ids)
        ]
    if first >= cached.since:
        exceptions, leave = cached.exceptions, cached.leave
    else:
        exceptions = _exception_rows(date__range=(first, last))
        leave = _leave_rows(first_day__lte=last, last_day__gte=first)
    for emp, day, office, ex_starts, ex_ends in exceptions:
        if emp in wanted and first <= day <= last:
            if office_ids is not None and office not in office_ids:
                office = None
            plans.exceptions[(emp, day)].append((office, ex_starts, ex_ends))
    for emp, first_day, last_day in leave:
        if emp in wanted and first_day <= last and last_day >= first:
            plans.leave[emp].append((first_day, last_day))
    return plans
