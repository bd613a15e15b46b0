"""Survey campaigns for research [SURVEYS]: created by the quality manager, an audience chosen by
filters (programme, channel, period of the case), sent in batches through the same invitation path
as the satisfaction survey (``services.survey_invite``: the outbox, or the text sender), answered
through a signed single-use link, counted by aggregates.

The desk's page (``campaign_views.py``) and the admin call these functions; the rules are here:
who may run a campaign (``cases.access.may_run_campaigns``: the quality manager), what a complete
campaign and question is, and whom a campaign reaches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from charterdesk.cases.access import may_run_campaigns
from charterdesk.cases.models import Case, Channel
from charterdesk.directory.models import Employee, Programme
from charterdesk.feedback.models import Campaign, Question, QuestionKind, SurveyInvitation
from charterdesk.feedback.services import FeedbackError

MAX_BATCH = 1000
MAX_QUESTIONS = 20


class CampaignError(FeedbackError):
    """A campaign that cannot be created or sent; the message says what to change."""


@dataclass(frozen=True, slots=True)
class Audience:
    """The filters of a campaign's audience: cases opened in [start, end] (Riga days), of one
    programme and one channel when given."""

    start: date
    end: date
    programme_id: int | None = None
    channel: str = ""

    @classmethod
    def of(cls, campaign: Campaign) -> Audience:
        return cls(
            campaign.period_start, campaign.period_end, campaign.programme_id, campaign.channel
        )


@dataclass(frozen=True, slots=True)
class QuestionSpec:
    kind: str
    text_lv: str
    text_en: str
    choices: tuple[tuple[str, str], ...] = field(default=())  # (Latvian, English)


def _check_audience(audience: Audience) -> None:
    if audience.end < audience.start:
        raise CampaignError(_("The period ends before it starts: choose the dates again."))
    if audience.channel and audience.channel not in Channel.values:
        raise CampaignError(_("Unknown channel %(ch)s.") % {"ch": audience.channel})


def audience_cases(audience: Audience) -> QuerySet[Any]:
    """One row per client: the client's latest case in the filters, clients who declined
    surveys left out.  The same query sends the campaign and counts its audience."""
    _check_audience(audience)
    start = timezone.make_aware(datetime.combine(audience.start, datetime.min.time()))
    end = timezone.make_aware(datetime.combine(audience.end, datetime.min.time())) + timedelta(
        days=1
    )
    cases = Case.objects.filter(
        created_at__gte=start, created_at__lt=end, client__surveys_declined=False
    )
    if audience.programme_id:
        cases = cases.filter(programme_id=audience.programme_id)
    if audience.channel:
        cases = cases.filter(channel=audience.channel)
    return cases.values("client_id").annotate(case_id=Max("id")).order_by("client_id")


def audience_count(audience: Audience) -> int:
    """How many clients the filters reach (before sending: shown on the form)."""
    return audience_cases(audience).count()


def _clean_questions(questions: Sequence[QuestionSpec]) -> list[QuestionSpec]:
    if not questions:
        raise CampaignError(_("A campaign needs at least one question."))
    if len(questions) > MAX_QUESTIONS:
        raise CampaignError(_("A campaign has at most %(n)d questions.") % {"n": MAX_QUESTIONS})
    out = []
    for number, q in enumerate(questions, start=1):
        if q.kind not in QuestionKind.values:
            raise CampaignError(_("Question %(n)d: choose its kind.") % {"n": number})
        lv, en = q.text_lv.strip(), q.text_en.strip()
        if not lv or not en:
            raise CampaignError(
                _("Question %(n)d needs its text in Latvian and in English.") % {"n": number}
            )
        choices = tuple((c_lv.strip(), c_en.strip()) for c_lv, c_en in q.choices)
        if q.kind == QuestionKind.CHOICE:
            if len(choices) < 2:
                raise CampaignError(
                    _("Question %(n)d is a choice: give at least two answers to choose from.")
                    % {"n": number}
                )
            if any(not c_lv or not c_en for c_lv, c_en in choices):
                raise CampaignError(
                    _(
                        "Question %(n)d: write each answer in Latvian and in English, "
                        "separated by “|”."
                    )
                    % {"n": number}
                )
        elif choices:
            raise CampaignError(
                _("Question %(n)d: only a choice question has answers to choose from.")
                % {"n": number}
            )
        out.append(QuestionSpec(q.kind, lv, en, choices))
    return out


@transaction.atomic
def campaign_create(
    *,
    title_lv: str,
    title_en: str,
    audience: Audience,
    questions: Sequence[QuestionSpec],
    by: Employee | None,
    batch_size: int = 200,
    now: datetime | None = None,
) -> Campaign:
    """Create a campaign with its questions.  Only the quality manager runs campaigns
    (``by=None`` is the system: the admin, commands)."""
    if by is not None and not may_run_campaigns(by):
        raise CampaignError(_("Survey campaigns are run by the quality manager."))
    title_lv, title_en = title_lv.strip(), title_en.strip()
    if not title_lv or not title_en:
        raise CampaignError(_("A campaign needs its title in Latvian and in English."))
    _check_audience(audience)
    if audience.programme_id and not Programme.objects.filter(pk=audience.programme_id).exists():
        raise CampaignError(_("Unknown programme."))
    if not 1 <= batch_size <= MAX_BATCH:
        raise CampaignError(_("A batch is 1 to %(max)d invitations.") % {"max": MAX_BATCH})
    specs = _clean_questions(questions)
    campaign = Campaign.objects.create(
        title_lv=title_lv,
        title_en=title_en,
        programme_id=audience.programme_id,
        channel=audience.channel,
        period_start=audience.start,
        period_end=audience.end,
        batch_size=batch_size,
        created_by=by.user if by is not None else None,
        created_at=now or timezone.now(),
    )
    Question.objects.bulk_create(
        Question(
            campaign=campaign,
            position=position,
            kind=q.kind,
            text_lv=q.text_lv,
            text_en=q.text_en,
            choices=[list(c) for c in q.choices],
        )
        for position, q in enumerate(specs, start=1)
    )
    return campaign


@dataclass(frozen=True, slots=True)
class Progress:
    audience: int  # clients the filters reach now
    invited: int  # invitations sent by this campaign
    answered: int

    @property
    def not_invited(self) -> int:
        return max(self.audience - self.invited, 0)

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.invited if self.invited else None


def campaign_progress(campaign: Campaign) -> Progress:
    """Audience, invitations sent and answered: two aggregate queries."""
    totals = SurveyInvitation.objects.filter(campaign=campaign).aggregate(
        sent=Count("id"), answered=Count("answered_at")
    )
    return Progress(audience_count(Audience.of(campaign)), totals["sent"], totals["answered"])


def campaign_send_next(
    *, campaign: Campaign, by: Employee | None, now: datetime | None = None
) -> int:
    """Send the campaign's next batch (``services.campaign_send_batch``), for the quality
    manager only.  Returns how many were invited."""
    from charterdesk.feedback.services import campaign_send_batch

    if by is not None and not may_run_campaigns(by):
        raise CampaignError(_("Survey campaigns are run by the quality manager."))
    return campaign_send_batch(campaign=campaign, now=now)
