"""The survey pages a client opens from the link, and the employee's feedback form."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from charterdesk.cases.models import Case
from charterdesk.directory.models import Employee, Office
from charterdesk.feedback.models import FeedbackChannel, FeedbackKind
from charterdesk.feedback.services import (
    FeedbackError,
    campaign_answer,
    feedback_record,
    survey_answer,
    survey_comment,
    survey_open,
)
from charterdesk.feedback.tokens import LinkError

REFUSALS = {
    "forged": (
        400,
        gettext_lazy("This survey link is not valid"),
        gettext_lazy(
            "The link is incomplete or was changed. Please open it again from the message we sent you, without changing it."
        ),
    ),
    "expired": (
        410,
        gettext_lazy("This survey link has expired"),
        gettext_lazy(
            "The link was valid for a limited time, which has passed. Thank you for your willingness to answer."
        ),
    ),
    "used": (
        409,
        gettext_lazy("This survey has already been answered"),
        gettext_lazy(
            "Each survey link can be used once, and this one has been. Thank you for your answer."
        ),
    ),
    "own": (
        403,
        gettext_lazy("You cannot answer this survey"),
        gettext_lazy(
            "This survey asks the client about a case you handled; an employee cannot open or answer the survey of their own case."
        ),
    ),
}
SESSION_KEY = "feedback_answered"


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    status, title, text = REFUSALS[reason]
    return render(
        request,
        "feedback/refused.html",
        {"title": title, "text": text, "reason": reason},
        status=status,
    )


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Is it praise, a complaint or a suggestion? (optional)"),
        required=False,
        choices=[("", gettext_lazy("not said")), *FeedbackKind.choices],
        widget=forms.RadioSelect,
    )


def score(request: HttpRequest, token: str, score: int) -> HttpResponse:
    """One click gives the score; the comment is optional."""
    try:
        invitation = survey_answer(token=token, score=score, user=request.user)
    except LinkError as exc:
        if exc.reason == "used":
            try:
                seen = survey_open(token=token, user=request.user)
            except LinkError:
                return _refused(request, "used")
            if seen.pk in request.session.get(SESSION_KEY, []) and not seen.comment:
                return render(
                    request,
                    "feedback/thanks.html",
                    {"invitation": seen, "form": CommentForm(), "token": token},
                )
        return _refused(request, exc.reason)
    request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, []), invitation.pk][-20:]
    return render(
        request,
        "feedback/thanks.html",
        {"invitation": invitation, "form": CommentForm(), "token": token},
    )


@require_POST
def comment(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = survey_open(token=token, user=request.user)
    except LinkError as exc:
        return _refused(request, exc.reason)
    if invitation.pk not in request.session.get(SESSION_KEY, []) or invitation.comment:
        return _refused(request, "used")
    form = CommentForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "feedback/thanks.html",
            {"invitation": invitation, "form": form, "token": token},
            status=400,
        )
    survey_comment(
        invitation=invitation, comment=form.cleaned_data["comment"], kind=form.cleaned_data["kind"]
    )
    request.session[SESSION_KEY] = [
        i for i in request.session.get(SESSION_KEY, []) if i != invitation.pk
    ]
    return render(request, "feedback/done.html")


def campaign(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = survey_open(token=token, user=request.user)
    except LinkError as exc:
        return _refused(request, exc.reason)
    if invitation.campaign is None:
        return _refused(request, "forged")
    if invitation.answered_at is not None:
        return _refused(request, "used")
    questions = list(invitation.campaign.questions.all())
    if request.method == "POST":
        answers = {q.pk: request.POST.get(f"q{q.pk}", "") for q in questions}
        try:
            campaign_answer(token=token, answers=answers, user=request.user)
        except LinkError as exc:
            return _refused(request, exc.reason)
        return render(request, "feedback/done.html")
    lang = "en" if request.LANGUAGE_CODE == "en" else "lv"
    return render(
        request,
        "feedback/campaign.html",
        {"campaign": invitation.campaign, "questions": questions, "lang": lang, "token": token},
    )


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=FeedbackKind.choices)
    channel = forms.ChoiceField(label=gettext_lazy("Received via"), choices=FeedbackChannel.choices)
    text = forms.CharField(
        label=gettext_lazy("What the client said"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    case = forms.CharField(
        label=gettext_lazy("About the case (reference)"), required=False, max_length=30
    )
    employee = forms.ModelChoiceField(
        label=gettext_lazy("About the employee"),
        queryset=Employee.objects.filter(is_active=True),
        required=False,
    )
    office = forms.ModelChoiceField(
        label=gettext_lazy("About the office"),
        queryset=Office.objects.filter(is_active=True),
        required=False,
    )

    def clean_case(self) -> Case | None:
        ref = self.cleaned_data["case"].strip()
        if not ref:
            return None
        case = Case.objects.filter(reference__iexact=ref).first()
        if case is None:
            raise forms.ValidationError(_("There is no case %(ref)s.") % {"ref": ref})
        return case


@login_required
def record(request: HttpRequest) -> HttpResponse:
    """An employee records praise, a complaint or a suggestion received on any channel."""
    employee = getattr(request.user, "employee", None)
    if employee is None:
        return render(
            request,
            "feedback/refused.html",
            {"title": _("Not available"), "text": _("Only employees record feedback.")},
            status=403,
        )
    initial = {"case": request.GET.get("case", "")}
    form = FeedbackForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            fb = feedback_record(
                kind=form.cleaned_data["kind"],
                channel=form.cleaned_data["channel"],
                text=form.cleaned_data["text"],
                case=form.cleaned_data["case"],
                employee=form.cleaned_data["employee"],
                office=form.cleaned_data["office"],
                by=employee,
            )
        except FeedbackError as exc:
            form.add_error(None, str(exc))
        else:
            from django.contrib import messages

            if fb.complaint_case is not None:
                messages.success(
                    request,
                    _("The complaint is recorded as case %(ref)s, with its deadline.")
                    % {"ref": fb.complaint_case.reference},
                )
                return redirect("case", pk=fb.complaint_case.pk)
            messages.success(request, _("The feedback is recorded."))
            return redirect("feedback:record")
    return render(request, "feedback/record.html", {"form": form})
