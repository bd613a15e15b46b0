"""What a report is made of: the period, the scope (who sees which part), the counts per
commitment, and the cube rows the figures are rolled up from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from charterdesk.cases.models import CaseEvent
from charterdesk.sla.models import Timer
from charterdesk.standard import Commitment, Kind, Policy

RIGA = ZoneInfo("Europe/Riga")
DIMENSIONS = ("channel", "office", "programme", "employee")
#: The case column behind each split.
DIMENSION_FIELDS = {
    "channel": "case__channel",
    "office": "case__office_id",
    "programme": "case__programme_id",
    "employee": "case__assignee_id",
}
TIMER_KINDS = (Kind.DEADLINE, Kind.THRESHOLD)
OUTCOMES = ("kept", "explained", "broken")


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar month or year in Europe/Riga: ``start`` inclusive, ``end`` exclusive."""

    year: int
    month: int | None = None

    @classmethod
    def month_of(cls, year: int, month: int) -> Period:
        if not 1 <= month <= 12:
            raise ValueError(f"month {month} is not 1…12")
        return cls(year, month)

    @classmethod
    def year_of(cls, year: int) -> Period:
        return cls(year, None)

    @property
    def is_month(self) -> bool:
        return self.month is not None

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month or 1, 1, tzinfo=RIGA)

    @property
    def end(self) -> datetime:
        if self.month is None or self.month == 12:
            return datetime(self.year + 1, 1, 1, tzinfo=RIGA)
        return datetime(self.year, self.month + 1, 1, tzinfo=RIGA)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}" if self.month else f"{self.year:04d}"

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026-11`` (a month) or ``2026`` (a year); ValueError otherwise."""
        parts = text.split("-")
        if len(parts) == 1 and parts[0].isdigit() and len(parts[0]) == 4:
            return cls.year_of(int(parts[0]))
        if (
            len(parts) == 2
            and all(p.isdigit() for p in parts)
            and len(parts[0]) == 4
            and len(parts[1]) == 2
        ):
            return cls.month_of(int(parts[0]), int(parts[1]))
        raise ValueError(f"{text!r} is not a period: write 2026-11 for a month or 2026 for a year")

    def months(self) -> list[Period]:
        if self.month is not None:
            return [self]
        return [Period(self.year, m) for m in range(1, 13)]

    def trend_range(self) -> tuple[datetime, datetime]:
        """The months a trend shows: the year up to the end of this period."""
        return datetime(self.year, 1, 1, tzinfo=RIGA), self.end


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose cases a reader sees: every case (``team_ids is None``), or the cases of some teams."""

    team_ids: tuple[int, ...] | None = None

    @classmethod
    def everything(cls) -> Scope:
        return cls(None)

    @property
    def is_everything(self) -> bool:
        return self.team_ids is None

    def timers(self, qs: QuerySet[Timer]) -> QuerySet[Timer]:
        return qs if self.team_ids is None else qs.filter(case__team_id__in=self.team_ids)

    def events(self, qs: QuerySet[CaseEvent]) -> QuerySet[CaseEvent]:
        return qs if self.team_ids is None else qs.filter(case__team_id__in=self.team_ids)


@dataclass(slots=True)
class Counts:
    kept: int = 0
    explained: int = 0
    broken: int = 0

    @property
    def counted(self) -> int:
        return self.kept + self.explained + self.broken

    @property
    def rate(self) -> float | None:
        return (self.kept + self.explained) / self.counted if self.counted else None

    def add(self, other: Counts) -> None:
        self.kept += other.kept
        self.explained += other.explained
        self.broken += other.broken

    def as_dict(self) -> dict[str, int]:
        return {"kept": self.kept, "explained": self.explained, "broken": self.broken}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Counts:
        return cls(int(data["kept"]), int(data["explained"]), int(data["broken"]))


@dataclass(slots=True)
class CommitmentFigure:
    commitment_id: str
    kind: str
    target_rate: float | None
    measured: str  # "timers" | "events" | "rule" | "people"
    total: Counts = field(default_factory=Counts)
    running: int = 0  # timers not yet due (excluded)
    overdue: int = 0  # timers decided on their stop, past due and not stopped yet (excluded)
    decided_on_stop: bool = False
    applied: int = 0  # events: how often a rule applied
    splits: dict[str, dict[str, Counts]] = field(default_factory=dict)
    applied_splits: dict[str, dict[str, int]] = field(default_factory=dict)
    trend: dict[str, Counts] = field(default_factory=dict)  # "2026-01" → counts
    applied_trend: dict[str, int] = field(default_factory=dict)

    @property
    def met_target(self) -> bool | None:
        rate = self.total.rate
        if rate is None or self.target_rate is None:
            return None
        return rate >= self.target_rate - 1e-12


@dataclass(slots=True)
class Report:
    period: Period
    scope: Scope
    computed_at: datetime
    figures: list[CommitmentFigure]
    policy: Policy
    frozen_months: list[str] = field(default_factory=list)  # closed months read from the freeze
    live_months: list[str] = field(default_factory=list)  # months counted now
    satisfaction: Any = None  # SatisfactionFigures

    def figure(self, commitment_id: str) -> CommitmentFigure:
        for fig in self.figures:
            if fig.commitment_id == commitment_id:
                return fig
        raise KeyError(commitment_id)


def measured_by(commitment: Commitment) -> str:
    if commitment.kind in TIMER_KINDS:
        return "timers"
    if commitment.kind is Kind.NOT_MEASURABLE:
        return "people"
    return "events" if commitment.starts_on else "rule"


# --- the cube: one GROUP BY per source, rolled up in Python over groups ------------------------

#: A cube row: month, commitment, channel, office, programme, employee, team and the counts
#: (kept, kept by explanation, broken for timers; applied for events).  Closed months store
#: their cube (``ClosedPeriod.cube``), so a closed month re-scoped to a team needs no query.
CubeRow = dict[str, Any]
CASE_COLUMNS = {
    "ch": "case__channel",
    "o": "case__office_id",
    "p": "case__programme_id",
    "e": "case__assignee_id",
    "t": "case__team_id",
}
DIMENSION_KEYS = {"channel": "ch", "office": "o", "programme": "p", "employee": "e"}


def month_key(value: datetime) -> str:
    return timezone.localtime(value, RIGA).strftime("%Y-%m")


def text_of(value: Any) -> str:
    return "" if value is None else str(value)
