"""What the report's pages, exports and PDF show: the figures with their words and labels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from charterdesk.cases.models import Channel
from charterdesk.core.dates import EN_MONTHS, EN_MONTHS_SHORT, LV_MONTHS, LV_MONTHS_SHORT
from charterdesk.directory.models import Employee, Office, Programme
from charterdesk.reports.charts import Bar, trend_svg
from charterdesk.reports.definitions import definition, percent, target_text
from charterdesk.reports.figures import (
    DIMENSIONS,
    CommitmentFigure,
    Counts,
    Period,
    Report,
)
from charterdesk.standard import Commitment

MONTH_NAMES = {"lv": LV_MONTHS_SHORT, "en": EN_MONTHS_SHORT}
MONTH_FULL = {"lv": LV_MONTHS, "en": EN_MONTHS}


def _lang() -> str:
    return "en" if (get_language() or "lv").startswith("en") else "lv"


def period_label(period: Period) -> str:
    if period.month is None:
        return _("year %(year)s") % {"year": period.year}
    if _lang() == "lv":
        return f"{period.year}. gada {MONTH_FULL['lv'][period.month - 1]}"
    return f"{MONTH_FULL['en'][period.month - 1]} {period.year}"


def dimension_title(dim: str) -> str:
    return {
        "channel": _("By channel"),
        "office": _("By office"),
        "programme": _("By programme"),
        "employee": _("By employee"),
    }[dim]


@dataclass(slots=True)
class SplitRow:
    key: str
    label: str
    counts: Counts | None = None
    applied: int = 0

    @property
    def rate_text(self) -> str:
        return percent(self.counts.rate) if self.counts else "—"


@dataclass(slots=True)
class Shown:
    commitment: Commitment
    figure: CommitmentFigure
    title: str
    definition: str
    target: str
    rate_text: str
    chart: str = ""
    trend: list[tuple[str, str, Counts | None, int]] = field(default_factory=list)
    splits: list[tuple[str, str, list[SplitRow]]] = field(default_factory=list)

    @property
    def status_text(self) -> str:
        met = self.figure.met_target
        if met is None:
            return ""
        return _("target met") if met else _("below the target")


def labels(report: Report) -> dict[str, dict[str, str]]:
    """Names for the keys of the splits: three small queries for the keys that occur."""
    keys: dict[str, set[str]] = {d: set() for d in DIMENSIONS}
    for fig in report.figures:
        for d, values in fig.splits.items():
            keys[d].update(values)
        for d, applied in fig.applied_splits.items():
            keys[d].update(applied)
    none = _("(none)")
    out: dict[str, dict[str, str]] = {d: {"": none} for d in DIMENSIONS}
    out["channel"].update({str(v): str(label) for v, label in Channel.choices})
    ids = {d: [int(k) for k in keys[d] if k.isdigit()] for d in ("office", "programme", "employee")}
    out["office"].update({str(o.pk): o.name for o in Office.objects.filter(pk__in=ids["office"])})
    out["programme"].update(
        {str(p.pk): p.name for p in Programme.objects.filter(pk__in=ids["programme"])}
    )
    out["employee"].update(
        {str(e.pk): e.full_name for e in Employee.objects.filter(pk__in=ids["employee"])}
    )
    return out


def trend_months(report: Report) -> list[str]:
    start = Period.year_of(report.period.year)
    return [p.key for p in start.months() if p.start < report.period.end]


def show(report: Report, *, charts: bool = True) -> list[Shown]:
    names = labels(report)
    months = trend_months(report)
    lang = _lang()
    out: list[Shown] = []
    for fig in report.figures:
        c = report.policy[fig.commitment_id]
        item = Shown(
            commitment=c,
            figure=fig,
            title=c.title_in(lang),
            definition=definition(c),
            target=target_text(c),
            rate_text=percent(fig.total.rate),
        )
        if fig.measured == "timers":
            for m in months:
                counts = fig.trend.get(m)
                label = MONTH_NAMES[lang][int(m[5:]) - 1]
                item.trend.append((m, label, counts, 0))
            if charts:
                item.chart = trend_svg(
                    [
                        Bar(label, cnt.rate if cnt else None, cnt.counted if cnt else 0)
                        for _m, label, cnt, _n in item.trend
                    ],
                    c.target_rate,
                    _("%(id)s by month") % {"id": c.id},
                )
            for d in DIMENSIONS:
                rows = [
                    SplitRow(k, names[d].get(k, k), counts=v)
                    for k, v in fig.splits.get(d, {}).items()
                ]
                rows.sort(key=lambda r: r.label.casefold())
                item.splits.append((d, dimension_title(d), rows))
        elif fig.measured == "events":
            for m in months:
                item.trend.append(
                    (m, MONTH_NAMES[lang][int(m[5:]) - 1], None, fig.applied_trend.get(m, 0))
                )
            for d in DIMENSIONS:
                rows = [
                    SplitRow(k, names[d].get(k, k), applied=v)
                    for k, v in fig.applied_splits.get(d, {}).items()
                ]
                rows.sort(key=lambda r: r.label.casefold())
                item.splits.append((d, dimension_title(d), rows))
        out.append(item)
    return out


def table_rows(report: Report) -> list[dict[str, Any]]:
    """The summary as plain values (CSV, XLSX, open data)."""
    rows = []
    for fig in report.figures:
        c = report.policy[fig.commitment_id]
        rows.append(
            {
                "period": report.period.key,
                "commitment_id": c.id,
                "title_lv": c.title.get("lv", ""),
                "title_en": c.title.get("en", ""),
                "kind": c.kind.value,
                "measured": fig.measured,
                "target_rate": c.target_rate,
                "kept": fig.total.kept if fig.measured == "timers" else None,
                "kept_by_explanation": fig.total.explained if fig.measured == "timers" else None,
                "broken": fig.total.broken if fig.measured == "timers" else None,
                "counted": fig.total.counted if fig.measured == "timers" else None,
                "rate": fig.total.rate if fig.measured == "timers" else None,
                "still_running": fig.running if fig.measured == "timers" else None,
                # a deadline decided when it stops: running past its due moment, not counted
                "overdue": fig.overdue if fig.decided_on_stop else None,
                "applied": fig.applied if fig.measured == "events" else None,
                "frozen": report.period.key in report.frozen_months,
            }
        )
    return rows


@dataclass(slots=True)
class SatisfactionRow:
    label: str
    sent: int
    answered: int
    response_text: str
    average_text: str


def _avg(value: float | None) -> str:
    if value is None:
        return "—"
    text = f"{value:.2f}"
    return text if _lang() == "en" else text.replace(".", ",")


def show_satisfaction(report: Report) -> dict[str, Any]:
    """The satisfaction section: totals and the four splits, and the feedback by kind."""
    sat = report.satisfaction
    names = labels(report)
    keys = {d: set(sat.splits[d]) for d in DIMENSIONS}
    ids = {
        d: [int(k) for k in keys[d] if k.isdigit() and k not in names[d]]
        for d in ("office", "programme", "employee")
    }
    names["office"].update({str(o.pk): o.name for o in Office.objects.filter(pk__in=ids["office"])})
    names["programme"].update(
        {str(p.pk): p.name for p in Programme.objects.filter(pk__in=ids["programme"])}
    )
    names["employee"].update(
        {str(e.pk): e.full_name for e in Employee.objects.filter(pk__in=ids["employee"])}
    )

    def row(label: str, s: Any) -> SatisfactionRow:
        return SatisfactionRow(label, s.sent, s.answered, percent(s.response_rate), _avg(s.average))

    splits = []
    for d in DIMENSIONS:
        rows = [row(names[d].get(k, k), v) for k, v in sat.splits[d].items()]
        rows.sort(key=lambda r: r.label.casefold())
        splits.append((d, dimension_title(d), rows))
    from charterdesk.feedback.models import FeedbackChannel, FeedbackKind

    channel_names = dict(FeedbackChannel.choices)
    feedback = [
        (
            str(label),
            sat.feedback.get(kind, 0),
            ", ".join(
                f"{channel_names.get(ch, ch)}: {n}"
                for ch, n in sorted(sat.feedback_by_channel.get(kind, {}).items())
            ),
        )
        for kind, label in FeedbackKind.choices
    ]
    return {"total": row("", sat.total), "splits": splits, "feedback": feedback}
