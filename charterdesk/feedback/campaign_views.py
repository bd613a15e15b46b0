"""The quality manager's survey campaigns page in the desk: create a campaign (questions and the
audience by filters, with the audience counted before anything is sent), send it in batches and
read the response rate and results.  The forms call ``feedback/campaigns.py``; the rules are there.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from charterdesk.cases.access import may_run_campaigns
from charterdesk.cases.models import Channel
from charterdesk.directory.models import Programme
from charterdesk.feedback.campaigns import (
    MAX_BATCH,
    Audience,
    CampaignError,
    QuestionSpec,
    audience_count,
    campaign_create,
    campaign_progress,
    campaign_send_next,
)
from charterdesk.feedback.models import Campaign, QuestionKind
from charterdesk.feedback.services import campaign_results
from charterdesk.security.staff import employee_required

QUESTION_ROWS = 5


def _refused(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "feedback/refused.html",
        {
            "title": _("Not available"),
            "text": _("Survey campaigns are run by the quality manager."),
            "reason": "campaigns",
        },
        status=403,
    )


class CampaignForm(forms.Form):
    title_lv = forms.CharField(label=gettext_lazy("Title in Latvian"), max_length=200)
    title_en = forms.CharField(label=gettext_lazy("Title in English"), max_length=200)
    programme = forms.ModelChoiceField(
        label=gettext_lazy("Programme"),
        queryset=Programme.objects.all(),
        required=False,
        empty_label=gettext_lazy("every programme"),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel of the case"),
        choices=[("", gettext_lazy("every channel")), *Channel.choices],
        required=False,
    )
    period_start = forms.DateField(
        label=gettext_lazy("Cases opened from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=gettext_lazy("Cases opened until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    batch_size = forms.IntegerField(
        label=gettext_lazy("Invitations per batch"), min_value=1, max_value=MAX_BATCH, initial=200
    )

    def audience(self) -> Audience:
        data = self.cleaned_data
        programme = data.get("programme")
        return Audience(
            start=data["period_start"],
            end=data["period_end"],
            programme_id=programme.pk if programme is not None else None,
            channel=data.get("channel") or "",
        )


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[("", gettext_lazy("(no question)")), *QuestionKind.choices],
        required=False,
    )
    text_lv = forms.CharField(
        label=gettext_lazy("Question in Latvian"), max_length=300, required=False
    )
    text_en = forms.CharField(
        label=gettext_lazy("Question in English"), max_length=300, required=False
    )
    choices = forms.CharField(
        label=gettext_lazy(
            "Answers to choose from (a choice question): one a line, “Latvian | English”"
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def spec(self) -> QuestionSpec | None:
        data = self.cleaned_data
        if not data.get("kind"):
            return None
        choices = []
        for line in (data.get("choices") or "").splitlines():
            if not line.strip():
                continue
            lv, _sep, en = line.partition("|")
            choices.append((lv, en))
        return QuestionSpec(
            data["kind"], data.get("text_lv", ""), data.get("text_en", ""), tuple(choices)
        )


def _question_forms(data: Any = None) -> list[QuestionForm]:
    return [QuestionForm(data, prefix=f"q{n}") for n in range(1, QUESTION_ROWS + 1)]


def percent_text(rate: float | None, lang: str) -> str:
    """A rate as the reader's language writes it: ``33,3 %`` in Latvian, ``33.3%`` in English."""
    if rate is None:
        return "—"
    if lang == "en":
        return f"{rate * 100:.1f}%"
    return f"{rate * 100:.1f}".replace(".", ",") + "\u00a0%"


def _rows(campaigns: list[Campaign], lang: str) -> list[dict[str, Any]]:
    out = []
    for c in campaigns:
        progress = campaign_progress(c)
        out.append(
            {
                "campaign": c,
                "progress": progress,
                "rate_text": percent_text(progress.response_rate, lang),
            }
        )
    return out


@employee_required
def campaigns_page(request: HttpRequest) -> HttpResponse:
    """The list of campaigns and the form of a new one.  "Count the audience" counts it without
    creating anything; "Create" creates the campaign (nothing is sent until asked)."""
    employee = request.employee  # type: ignore[attr-defined]
    if not may_run_campaigns(employee):
        return _refused(request)
    counted: int | None = None
    error = ""
    lang = "en" if request.LANGUAGE_CODE == "en" else "lv"
    if request.method == "POST":
        form = CampaignForm(request.POST)
        questions = _question_forms(request.POST)
        if form.is_valid() and all(q.is_valid() for q in questions):
            specs = [s for s in (q.spec() for q in questions) if s is not None]
            try:
                counted = audience_count(form.audience())
                if request.POST.get("action") == "create":
                    campaign = campaign_create(
                        title_lv=form.cleaned_data["title_lv"],
                        title_en=form.cleaned_data["title_en"],
                        audience=form.audience(),
                        questions=specs,
                        batch_size=form.cleaned_data["batch_size"],
                        by=employee,
                    )
                    messages.success(
                        request,
                        ngettext(
                            "The campaign is created; its audience is %(n)d client. "
                            "Nothing is sent until you send a batch.",
                            "The campaign is created; its audience is %(n)d clients. "
                            "Nothing is sent until you send a batch.",
                            counted,
                        )
                        % {"n": counted},
                    )
                    return redirect("feedback:campaign_results", pk=campaign.pk)
            except CampaignError as exc:
                error = str(exc)
    else:
        today = timezone.localdate()
        form = CampaignForm(
            initial={"period_start": today.replace(day=1), "period_end": today, "batch_size": 200}
        )
        questions = _question_forms()
    campaigns = list(
        Campaign.objects.select_related("programme").order_by("-created_at", "-id")[:50]
    )
    return render(
        request,
        "feedback/campaigns.html",
        {
            "nav": "campaigns",
            "form": form,
            "questions": questions,
            "counted": counted,
            "error": error,
            "rows": _rows(campaigns, lang),
            "lang": lang,
        },
    )


def _choice_label(question: Any, value: str, lang: str) -> str:
    try:
        lv, en = question.choices[int(value)]
    except (ValueError, IndexError, TypeError):
        return value
    return str(en if lang == "en" else lv)


@employee_required
def campaign_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One campaign: its audience and progress, the next batch to send, its results."""
    if not may_run_campaigns(request.employee):  # type: ignore[attr-defined]
        return _refused(request)
    campaign = get_object_or_404(Campaign.objects.select_related("programme"), pk=pk)
    lang = "en" if request.LANGUAGE_CODE == "en" else "lv"
    results = campaign_results(campaign)
    for r in results["questions"]:
        q = r["question"]
        r["rows"] = (
            [
                (_choice_label(q, value, lang) if q.kind == QuestionKind.CHOICE else value, n)
                for value, n in sorted(r["counts"].items())
            ]
            if q.kind != QuestionKind.TEXT
            else []
        )
    progress = campaign_progress(campaign)
    return render(
        request,
        "feedback/results.html",
        {
            "nav": "campaigns",
            "campaign": campaign,
            "results": results,
            "progress": progress,
            "next_batch": min(campaign.batch_size, progress.not_invited),
            "channel_label": dict(Channel.choices).get(campaign.channel, ""),
            "rate_text": percent_text(results["rate"], lang) if results["sent"] else "",
            "lang": lang,
        },
    )


@require_POST
@employee_required
def campaign_send(request: HttpRequest, pk: int) -> HttpResponse:
    employee = request.employee  # type: ignore[attr-defined]
    if not may_run_campaigns(employee):
        return _refused(request)
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        sent = campaign_send_next(campaign=campaign, by=employee)
    except CampaignError as exc:
        messages.error(request, str(exc))
    else:
        if sent:
            messages.success(
                request,
                ngettext(
                    "%(n)d invitation was handed to the outbox.",
                    "%(n)d invitations were handed to the outbox.",
                    sent,
                )
                % {"n": sent},
            )
        else:
            messages.info(request, _("Nobody was left to invite in this batch."))
    return redirect("feedback:campaign_results", pk=campaign.pk)
