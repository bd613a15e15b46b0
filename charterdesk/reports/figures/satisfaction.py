"""The satisfaction surveys and the feedback received, as cube rows beside the commitments'."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from charterdesk.reports.figures.shapes import (
    DIMENSION_KEYS,
    DIMENSIONS,
    RIGA,
    CubeRow,
    Period,
    Scope,
    month_key,
    text_of,
)

#: Cube rows that are not a commitment's: the satisfaction surveys and the feedback received.
SATISFACTION = "@satisfaction"
FEEDBACK = "@feedback:"


def satisfaction_rows(start: datetime, end: datetime, scope: Scope) -> list[CubeRow]:
    from charterdesk.feedback.models import Feedback, SurveyInvitation, SurveyKind

    rows: list[CubeRow] = []
    invitations = SurveyInvitation.objects.filter(sent_at__gte=start, sent_at__lt=end).exclude(
        kind=SurveyKind.CAMPAIGN
    )
    if scope.team_ids is not None:
        invitations = invitations.filter(case__team_id__in=scope.team_ids)
    grouped = (
        invitations.annotate(month=TruncMonth("sent_at", tzinfo=RIGA))
        .values("month", "channel", "office_id", "programme_id", "employee_id", "case__team_id")
        .annotate(n=Count("id"), a=Count("answered_at"), s=Sum("score"))
        .order_by()
    )
    for r in grouped:
        rows.append(
            {
                "m": month_key(r["month"]),
                "c": SATISFACTION,
                "ch": text_of(r["channel"]),
                "o": text_of(r["office_id"]),
                "p": text_of(r["programme_id"]),
                "e": text_of(r["employee_id"]),
                "t": text_of(r["case__team_id"]),
                "k": 0,
                "x": 0,
                "b": 0,
                "n": r["n"],
                "a": r["a"],
                "s": r["s"] or 0,
            }
        )
    feedback = Feedback.objects.filter(received_at__gte=start, received_at__lt=end)
    if scope.team_ids is not None:
        feedback = feedback.filter(case__team_id__in=scope.team_ids)
    grouped_fb = (
        feedback.annotate(month=TruncMonth("received_at", tzinfo=RIGA))
        .values(
            "month",
            "kind",
            "channel",
            "office_id",
            "case__programme_id",
            "employee_id",
            "case__team_id",
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in grouped_fb:
        rows.append(
            {
                "m": month_key(r["month"]),
                "c": FEEDBACK + r["kind"],
                "ch": text_of(r["channel"]),
                "o": text_of(r["office_id"]),
                "p": text_of(r["case__programme_id"]),
                "e": text_of(r["employee_id"]),
                "t": text_of(r["case__team_id"]),
                "k": 0,
                "x": 0,
                "b": 0,
                "n": r["n"],
            }
        )
    return rows


@dataclass(slots=True)
class Satisfaction:
    sent: int = 0
    answered: int = 0
    score_sum: int = 0

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.sent if self.sent else None

    @property
    def average(self) -> float | None:
        return self.score_sum / self.answered if self.answered else None

    def add(self, row: CubeRow) -> None:
        self.sent += row["n"]
        self.answered += row.get("a", 0)
        self.score_sum += row.get("s", 0)


@dataclass(slots=True)
class SatisfactionFigures:
    total: Satisfaction = field(default_factory=Satisfaction)
    splits: dict[str, dict[str, Satisfaction]] = field(
        default_factory=lambda: {d: {} for d in DIMENSIONS}
    )
    feedback: dict[str, int] = field(default_factory=dict)  # kind → count
    feedback_by_channel: dict[str, dict[str, int]] = field(default_factory=dict)


def rollup_satisfaction(*, period: Period, rows: Iterable[CubeRow]) -> SatisfactionFigures:
    out = SatisfactionFigures()
    months = {p.key for p in period.months()}
    for row in rows:
        if row["m"] not in months:
            continue
        if row["c"] == SATISFACTION:
            out.total.add(row)
            for dim, key in DIMENSION_KEYS.items():
                out.splits[dim].setdefault(row[key], Satisfaction()).add(row)
        elif row["c"].startswith(FEEDBACK):
            kind = row["c"][len(FEEDBACK) :]
            out.feedback[kind] = out.feedback.get(kind, 0) + row["n"]
            by = out.feedback_by_channel.setdefault(kind, {})
            by[row["ch"]] = by.get(row["ch"], 0) + row["n"]
    return out
