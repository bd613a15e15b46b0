"""The compliance report's pages: the report, the drill-down, exports, closing a month, and the
public figures (opt-in) with their open data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from charterdesk.reports import exports, opendata
from charterdesk.reports.access import report_scope
from charterdesk.reports.drilldown import DrilldownError, drilldown
from charterdesk.reports.figures import RIGA, Period, Scope, compliance_report
from charterdesk.reports.freeze import PeriodError, period_close, period_recompute
from charterdesk.reports.models import ClosedPeriod
from charterdesk.reports.presentation import period_label, show, show_satisfaction
from charterdesk.standard import get_policy


def default_period() -> Period:
    today = timezone.localtime(timezone.now(), RIGA)
    last = today.replace(day=1) - timedelta(days=1)
    return Period.month_of(last.year, last.month)


def _period(request: HttpRequest) -> tuple[Period, str]:
    raw = request.GET.get("period", "").strip()
    if not raw:
        return default_period(), ""
    try:
        return Period.parse(raw), ""
    except ValueError:
        return default_period(), _("“%(value)s” is not a period: choose a month or a year.") % {
            "value": raw
        }


def _refuse(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/refused.html", status=403)


def _scope(request: HttpRequest) -> Scope | None:
    # The desk's header shows its navigation for an employee (request.employee, as the desk's
    # own views set it).
    employee = getattr(request.user, "employee", None)
    if employee is not None and employee.is_active:
        request.employee = employee  # type: ignore[attr-defined]
    return report_scope(request.user)


def _is_manager(request: HttpRequest) -> bool:
    scope = _scope(request)
    return scope is not None and scope.is_everything


def _period_choices(selected: Period) -> list[tuple[str, str]]:
    now = timezone.localtime(timezone.now(), RIGA)
    out: list[tuple[str, str]] = []
    for year in (now.year, now.year - 1):
        out.append((str(year), period_label(Period.year_of(year))))
        last = now.month if year == now.year else 12
        for m in range(last, 0, -1):
            p = Period.month_of(year, m)
            out.append((p.key, period_label(p)))
    if selected.key not in {k for k, _v in out}:
        out.insert(0, (selected.key, period_label(selected)))
    return out


@login_required
def report_page(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    if scope is None:
        return _refuse(request)
    period, error = _period(request)
    report = compliance_report(period=period, scope=scope)
    closed = ClosedPeriod.objects.filter(month=period.key).first() if period.is_month else None
    context: dict[str, Any] = {
        "nav": "reports",
        "report": report,
        "shown": show(report),
        "satisfaction": show_satisfaction(report),
        "period": period,
        "period_label": period_label(period),
        "choices": _period_choices(period),
        "error": error,
        "closed": closed,
        "recomputations": closed.recomputations.all()[:10] if closed else [],
        "is_manager": scope.is_everything,
        "team_names": _team_names(scope),
        "can_close": scope.is_everything
        and period.is_month
        and closed is None
        and timezone.now() >= period.end,
    }
    return render(request, "reports/report.html", context)


def _team_names(scope: Scope) -> list[str]:
    from charterdesk.directory.models import Team

    if scope.team_ids is None:
        return []
    return [t.name for t in Team.objects.filter(pk__in=scope.team_ids)]


OUTCOME_TITLES = {
    "kept": "kept",
    "explained": "kept by explanation",
    "broken": "broken",
    "all": "all counted",
}


@login_required
def drilldown_page(request: HttpRequest, commitment_id: str) -> HttpResponse:
    scope = _scope(request)
    if scope is None:
        return _refuse(request)
    policy = get_policy()
    if commitment_id not in policy:
        raise Http404(commitment_id)
    period, error = _period(request)
    outcome = request.GET.get("outcome", "all")
    dimension = request.GET.get("dim") or None
    value = request.GET.get("value", "")
    month = request.GET.get("month") or None
    try:
        page = drilldown(
            commitment_id=commitment_id,
            period=period,
            scope=scope,
            outcome=outcome,
            dimension=dimension,
            value=value,
            month=month,
            cursor=request.GET.get("after") or None,
            viewer=request.user,
        )
    except (DrilldownError, ValueError) as exc:
        return render(
            request,
            "reports/refused.html",
            {"message": _("This list cannot be shown: %(why)s") % {"why": exc}},
            status=400,
        )
    commitment = policy[commitment_id]
    outcome_words = {
        "kept": _("kept"),
        "explained": _("kept by explanation"),
        "broken": _("broken"),
        "overdue": _("overdue, not decided yet"),
        "all": _("all counted"),
    }
    split_label = ""
    if dimension:
        split_label = labels_for(dimension, value)
    next_url = ""
    if page.next_cursor:
        q = request.GET.copy()
        q["after"] = page.next_cursor
        next_url = f"{request.path}?{q.urlencode()}"
    rows = []
    for r in page.rows:
        url = reverse("case", args=[r.timer.case_id])
        if r.breach_event_id:
            url += f"#event-{r.breach_event_id}"
        rows.append({"row": r, "url": url, "outcome": outcome_words[r.outcome]})
    return render(
        request,
        "reports/drilldown.html",
        {
            "nav": "reports",
            "commitment": commitment,
            "title": commitment.title_in("en" if request.LANGUAGE_CODE == "en" else "lv"),
            "period": period,
            "period_label": period_label(Period.parse(month) if month else period),
            "outcome_label": outcome_words.get(outcome, outcome),
            "split_label": split_label,
            "rows": rows,
            "next_url": next_url,
            "error": error,
        },
    )


def labels_for(dimension: str, value: str) -> str:
    from charterdesk.cases.models import Channel
    from charterdesk.directory.models import Employee, Office, Programme

    if not value:
        return _("(none)")
    if dimension == "channel":
        return str(dict(Channel.choices).get(value, value))
    model: Any = {"office": Office, "programme": Programme, "employee": Employee}.get(dimension)
    if model is None or not value.isdigit():
        return value
    obj = model._default_manager.filter(pk=int(value)).first()
    return str(obj) if obj else value


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    scope = _scope(request)
    if scope is None:
        return _refuse(request)
    period, _error = _period(request)
    report = compliance_report(period=period, scope=scope)
    name = f"compliance-{period.key}"
    if fmt == "csv":
        return _download(exports.report_csv(report), "text/csv; charset=utf-8", f"{name}.csv")
    if fmt == "xlsx":
        return _download(
            exports.report_xlsx(report),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"{name}.xlsx",
        )
    if fmt == "pdf":
        return _download(
            exports.report_pdf(report, request=request), "application/pdf", f"{name}.pdf"
        )
    raise Http404(fmt)


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def close_month(request: HttpRequest) -> HttpResponse:
    if not _is_manager(request):
        return _refuse(request)
    month = request.POST.get("month", "")
    reason = request.POST.get("reason", "")
    from django.contrib import messages

    try:
        if request.POST.get("action") == "recompute":
            period_recompute(month=month, reason=reason, by=request.user)
            messages.success(request, _("The month %(month)s was recomputed.") % {"month": month})
        else:
            period_close(month=month, by=request.user)
            messages.success(request, _("The month %(month)s is closed.") % {"month": month})
    except PeriodError as exc:
        messages.error(request, str(exc))
    return redirect(f"{reverse('reports:report')}?period={month}")


# --- the public figures (opt-in) ----------------------------------------------------------------


def _public_enabled() -> None:
    if not getattr(settings, "CHARTERDESK_PUBLIC_FIGURES", False):
        raise Http404("the public figures are not published")


def public_page(request: HttpRequest) -> HttpResponse:
    _public_enabled()
    data = opendata.public_figures()
    return render(
        request,
        "reports/public.html",
        {"data": data, "months": opendata.shown_months(data), "min_count": opendata.min_count()},
    )


def open_data(request: HttpRequest, fmt: str) -> HttpResponse:
    _public_enabled()
    data = opendata.public_figures()
    if fmt == "json":
        response = HttpResponse(
            opendata.as_json(data), content_type="application/json; charset=utf-8"
        )
    elif fmt == "csv":
        response = HttpResponse(opendata.as_csv(data), content_type="text/csv; charset=utf-8")
    else:
        raise Http404(fmt)
    response["Access-Control-Allow-Origin"] = "*"
    return response
