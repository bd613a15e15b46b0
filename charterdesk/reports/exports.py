"""The report as CSV, XLSX (openpyxl) and a monthly PDF for management (weasyprint)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from charterdesk.reports.figures import Report
from charterdesk.reports.presentation import period_label, show, table_rows

COLUMNS = [
    "period",
    "commitment_id",
    "title_lv",
    "title_en",
    "kind",
    "measured",
    "target_rate",
    "kept",
    "kept_by_explanation",
    "broken",
    "counted",
    "rate",
    "still_running",
    "overdue",
    "applied",
    "frozen",
]
SPLIT_COLUMNS = [
    "period",
    "commitment_id",
    "split",
    "key",
    "label",
    "kept",
    "kept_by_explanation",
    "broken",
    "counted",
    "rate",
    "applied",
]


def _split_rows(report: Report) -> list[dict[str, Any]]:
    rows = []
    for item in show(report, charts=False):
        for dim, _title, split in item.splits:
            for s in split:
                c = s.counts
                rows.append(
                    {
                        "period": report.period.key,
                        "commitment_id": item.commitment.id,
                        "split": dim,
                        "key": s.key,
                        "label": s.label,
                        "kept": c.kept if c else None,
                        "kept_by_explanation": c.explained if c else None,
                        "broken": c.broken if c else None,
                        "counted": c.counted if c else None,
                        "rate": c.rate if c else None,
                        "applied": s.applied if not c else None,
                    }
                )
    return rows


def _trend_rows(report: Report) -> list[dict[str, Any]]:
    rows = []
    for item in show(report, charts=False):
        for month, _label, counts, applied in item.trend:
            rows.append(
                {
                    "month": month,
                    "commitment_id": item.commitment.id,
                    "kept": counts.kept
                    if counts
                    else (0 if item.figure.measured == "timers" else None),
                    "kept_by_explanation": counts.explained
                    if counts
                    else (0 if item.figure.measured == "timers" else None),
                    "broken": counts.broken
                    if counts
                    else (0 if item.figure.measured == "timers" else None),
                    "rate": counts.rate if counts else None,
                    "applied": applied if item.figure.measured == "events" else None,
                }
            )
    return rows


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def report_csv(report: Report) -> bytes:
    """The summary, then the splits, as one UTF-8 CSV (with BOM, so spreadsheets read ā, š …)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in table_rows(report):
        writer.writerow([_csv_value(row[c]) for c in COLUMNS])
    writer.writerow([])
    writer.writerow(SPLIT_COLUMNS)
    for row in _split_rows(report):
        writer.writerow([_csv_value(row[c]) for c in SPLIT_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def report_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    sheets = [
        (_("Summary"), COLUMNS, table_rows(report)),
        (_("Splits"), SPLIT_COLUMNS, _split_rows(report)),
        (
            _("Trend"),
            ["month", "commitment_id", "kept", "kept_by_explanation", "broken", "rate", "applied"],
            _trend_rows(report),
        ),
    ]
    first = True
    for title, columns, rows in sheets:
        ws = wb.active if first else wb.create_sheet()
        assert ws is not None
        first = False
        ws.title = title[:31]
        ws.append(columns)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append([row[c] for c in columns])
        for col in ws.iter_cols(min_row=2):
            if col and col[0].column_letter and columns[col[0].column - 1] == "rate":
                for cell in col:
                    cell.number_format = "0.0%"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def report_pdf(report: Report, *, request: Any = None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "reports/pdf.html",
        {"report": report, "shown": show(report), "period_label": period_label(report.period)},
        request=request,
    )
    return bytes(HTML(string=html).write_pdf())
