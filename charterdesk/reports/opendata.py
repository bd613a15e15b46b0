"""The standard's figures per closed month for the public page and as open data.

Only closed months are published (their figures are frozen, so a published number never changes
under its reader; a recomputation shows in ``recomputed_at``).  Only totals per commitment: no
split by office, programme or employee, no case, nothing that identifies a person.  A figure
counted over fewer than ``CHARTERDESK_PUBLIC_MIN_COUNT`` (default 10) clocks or events is
suppressed: its counts and rate are null and ``suppressed`` is true.

The schema is versioned (``schema``); fields are only ever added.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.conf import settings

from charterdesk.reports.figures import Period, rollup
from charterdesk.reports.freeze import frozen_months
from charterdesk.reports.models import ClosedPeriod

SCHEMA = "charterdesk-compliance/1"
LICENCE = {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
CSV_COLUMNS = [
    "month",
    "commitment_id",
    "title_lv",
    "title_en",
    "kind",
    "target_rate",
    "counted",
    "kept",
    "kept_by_explanation",
    "broken",
    "rate",
    "applied",
    "suppressed",
]


def min_count() -> int:
    return int(getattr(settings, "CHARTERDESK_PUBLIC_MIN_COUNT", 10))


def public_figures() -> dict[str, Any]:
    keys = list(ClosedPeriod.objects.order_by("month").values_list("month", flat=True))
    frozen = frozen_months(keys)
    floor = min_count()
    months = []
    for key in keys:
        fm = frozen[key]
        period = Period.parse(key)
        figures = rollup(policy=fm.policy, period=period, rows=fm.cube)
        items = []
        for fig in figures:
            c = fm.policy[fig.commitment_id]
            item: dict[str, Any] = {
                "commitment_id": c.id,
                "title_lv": c.title.get("lv", ""),
                "title_en": c.title.get("en", ""),
                "kind": c.kind.value,
                "target_rate": c.target_rate,
                "counted": None,
                "kept": None,
                "kept_by_explanation": None,
                "broken": None,
                "rate": None,
                "applied": None,
                "suppressed": False,
            }
            if fig.measured == "timers":
                if fig.total.counted < floor:
                    item["suppressed"] = fig.total.counted > 0
                else:
                    item.update(
                        counted=fig.total.counted,
                        kept=fig.total.kept,
                        kept_by_explanation=fig.total.explained,
                        broken=fig.total.broken,
                        rate=round(fig.total.rate or 0.0, 4),
                    )
            elif fig.measured == "events":
                if fig.applied < floor:
                    item["suppressed"] = fig.applied > 0
                else:
                    item["applied"] = fig.applied
            items.append(item)
        months.append(
            {
                "month": key,
                "closed_at": fm.row.closed_at.isoformat(),
                "recomputed_at": fm.row.recomputed_at.isoformat() if fm.row.recomputed_at else None,
                "policy_sha256": fm.row.policy_sha256,
                "commitments": items,
            }
        )
    return {
        "schema": SCHEMA,
        "licence": LICENCE,
        "suppression": {"min_count": floor},
        "definition": (
            "rate = (kept + kept_by_explanation) / counted; counted = the commitment's clocks "
            "whose due moment fell in the month (Europe/Riga); applied = how often a rule the "
            "software enforces applied."
        ),
        "months": months,
    }


def shown_months(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Newest first, for the page."""
    return list(reversed(data["months"]))


def as_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)


def as_csv(data: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for month in data["months"]:
        for item in month["commitments"]:
            row = {"month": month["month"], **item}
            writer.writerow(
                [
                    ""
                    if row[c] is None
                    else ("true" if row[c] is True else "false" if row[c] is False else row[c])
                    for c in CSV_COLUMNS
                ]
            )
    return out.getvalue()
