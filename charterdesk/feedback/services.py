"""Surveys and feedback: the only writers of ``charterdesk.feedback``.  [SURVEYS]
[FEEDBACK-ANY-CHANNEL]"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from charterdesk.cases.models import Case, Channel, Direction, MessageKind
from charterdesk.cases.recording import record_event
from charterdesk.cases.services import case_add_message, case_open
from charterdesk.clients.models import Client
from charterdesk.directory.models import Employee, Office
from charterdesk.feedback.models import (
    Answer,
    Campaign,
    Feedback,
    FeedbackChannel,
    FeedbackKind,
    QuestionKind,
    SentVia,
    SurveyInvitation,
    SurveyKind,
)
from charterdesk.feedback.sms import sms_sender
from charterdesk.feedback.tokens import LinkError, make_token, read_token
from charterdesk.standard import get_policy
from charterdesk.standard.events import Event

log = logging.getLogger(__name__)


class FeedbackError(ValueError):
    """Feedback that cannot be recorded; the message says what is missing."""


def _base_url() -> str:
    from django.conf import settings

    return str(getattr(settings, "CHARTERDESK_PUBLIC_URL", "http://localhost:8000")).rstrip("/")


def survey_links(invitation: SurveyInvitation) -> dict[int, str]:
    token = make_token(invitation.pk, invitation.nonce)
    with translation.override(invitation.language):
        return {
            score: _base_url() + reverse("feedback:score", args=[token, score])
            for score in range(1, 6)
        }


def campaign_link(invitation: SurveyInvitation) -> str:
    token = make_token(invitation.pk, invitation.nonce)
    with translation.override(invitation.language):
        return _base_url() + reverse("feedback:campaign", args=[token])


def _kind_for(case: Case) -> str:
    kinds: dict[str, str] = {Channel.PHONE: SurveyKind.CALL, Channel.IN_PERSON: SurveyKind.VISIT}
    return kinds.get(str(case.channel), SurveyKind.CASE)


def may_survey(client: Client, now: datetime) -> bool:
    """Not a client who declined surveys, nor one asked within the policy's interval."""
    if client.surveys_declined:
        return False
    since = now - timedelta(days=get_policy().surveys.min_days_between)
    return not SurveyInvitation.objects.filter(client=client, sent_at__gt=since).exists()


def _via(client: Client) -> str | None:
    if client.email:
        return SentVia.EMAIL
    if client.phone and sms_sender() is not None:
        return SentVia.SMS
    return None


@transaction.atomic
def survey_invite(
    *,
    case: Case,
    kind: str | None = None,
    campaign: Campaign | None = None,
    now: datetime | None = None,
) -> SurveyInvitation | None:
    """Ask ``case``'s client for their satisfaction (e-mail through the outbox, or a text message
    through the configured sender).  None when the policy says not to ask now, or the client
    cannot be reached."""
    now = now or timezone.now()
    client = case.client
    via = _via(client)
    if via is None or not may_survey(client, now):
        return None
    invitation = SurveyInvitation.objects.create(
        kind=kind or (SurveyKind.CAMPAIGN if campaign else _kind_for(case)),
        case=case,
        client=client,
        campaign=campaign,
        channel=case.channel,
        office=case.office,
        programme=case.programme,
        employee=case.assignee,
        language=case.language or client.language,
        via=via,
        nonce=secrets.token_hex(16),
        sent_at=now,
        expires_at=now + timedelta(days=get_policy().surveys.link_valid_days),
    )
    with translation.override(invitation.language):
        if campaign is not None:
            title = campaign.title_en if invitation.language == "en" else campaign.title_lv
            text = _(
                "Good day!\n\nWe would be grateful for a few minutes of your time: %(title)s.\n"
                "The questions: %(link)s\n\nThe link is valid until %(until)s and can be used once."
            ) % {
                "title": title,
                "link": campaign_link(invitation),
                "until": timezone.localtime(invitation.expires_at).strftime("%d.%m.%Y"),
            }
        else:
            links = survey_links(invitation)
            text = _(
                "Good day!\n\nHow satisfied are you with how we handled your matter %(ref)s?\n"
                "One click gives your score (1 – not at all, 5 – very satisfied):\n\n%(links)s\n\n"
                "The link is valid until %(until)s and can be used once."
            ) % {
                "ref": case.reference,
                "links": "\n".join(f"{score}: {url}" for score, url in links.items()),
                "until": timezone.localtime(invitation.expires_at).strftime("%d.%m.%Y"),
            }
        if via == SentVia.EMAIL:
            case_add_message(
                case=case,
                direction=Direction.OUTBOUND,
                kind=MessageKind.SURVEY,
                channel=Channel.EMAIL,
                subject=_("Your opinion on case %(ref)s") % {"ref": case.reference},
                body=text,
                at=now,
            )
        else:
            sender = sms_sender()
            assert sender is not None
            phone = client.phone
            transaction.on_commit(lambda: _send_sms(sender, phone, text, invitation.pk))
    record_event(case=case, type=Event.SURVEY_SENT, at=now, invitation=invitation.pk, via=str(via))
    return invitation


def _send_sms(sender: Any, phone: str, text: str, invitation_id: int) -> None:
    try:
        sender.send(to=phone, text=text)
    except Exception:
        log.exception("the survey text message of invitation %s was not sent", invitation_id)
        SurveyInvitation.objects.filter(pk=invitation_id).update(expires_at=timezone.now())


def survey_open(*, token: str, user: Any = None, now: datetime | None = None) -> SurveyInvitation:
    """The invitation behind ``token``, or :class:`LinkError` (forged, expired, own)."""
    now = now or timezone.now()
    invitation_id, nonce = read_token(token, max_age_days=get_policy().surveys.link_valid_days)
    invitation = (
        SurveyInvitation.objects.select_related("case", "employee").filter(pk=invitation_id).first()
    )
    if invitation is None or not secrets.compare_digest(invitation.nonce, nonce):
        raise LinkError("forged")
    if now >= invitation.expires_at:
        raise LinkError("expired")
    employee = (
        getattr(user, "employee", None) if user is not None and user.is_authenticated else None
    )
    if employee is not None and employee.pk in {
        invitation.employee_id,
        invitation.case.assignee_id,
    }:
        raise LinkError("own")
    return invitation


@transaction.atomic
def survey_answer(
    *, token: str, score: int, user: Any = None, now: datetime | None = None
) -> SurveyInvitation:
    """Record the one-click score; a second use of the link is refused (``used``)."""
    now = now or timezone.now()
    invitation = survey_open(token=token, user=user, now=now)
    if not 1 <= score <= 5:
        raise LinkError("forged")
    updated = SurveyInvitation.objects.filter(pk=invitation.pk, answered_at__isnull=True).update(
        answered_at=now, score=score
    )
    if not updated:
        raise LinkError("used")
    invitation.refresh_from_db()
    record_event(
        case=invitation.case,
        type=Event.SURVEY_ANSWERED,
        at=now,
        invitation=invitation.pk,
        score=score,
    )
    return invitation


@transaction.atomic
def survey_comment(
    *, invitation: SurveyInvitation, comment: str, kind: str = "", now: datetime | None = None
) -> SurveyInvitation:
    """The optional comment after the score; marked as praise, complaint or suggestion it is also
    recorded as feedback (a complaint gets its case)."""
    comment = comment.strip()[:5000]
    if not comment or invitation.comment:
        return invitation
    SurveyInvitation.objects.filter(pk=invitation.pk, comment="").update(comment=comment)
    invitation.comment = comment
    if kind in FeedbackKind.values:
        feedback_record(
            kind=kind,
            channel=FeedbackChannel.SURVEY,
            text=comment,
            case=invitation.case,
            employee=invitation.employee,
            client=invitation.client,
            survey=invitation,
            at=now,
        )
    return invitation


@transaction.atomic
def campaign_answer(
    *, token: str, answers: dict[int, str], user: Any = None, now: datetime | None = None
) -> SurveyInvitation:
    now = now or timezone.now()
    invitation = survey_open(token=token, user=user, now=now)
    if invitation.campaign_id is None:
        raise LinkError("forged")
    if not SurveyInvitation.objects.filter(pk=invitation.pk, answered_at__isnull=True).update(
        answered_at=now
    ):
        raise LinkError("used")
    questions = {q.pk: q for q in invitation.campaign.questions.all()}  # type: ignore[union-attr]
    rows = []
    for qid, value in answers.items():
        q = questions.get(qid)
        value = (value or "").strip()[:5000]
        if q is None or not value:
            continue
        if q.kind == QuestionKind.SCALE and value not in {"1", "2", "3", "4", "5"}:
            continue
        if q.kind == QuestionKind.CHOICE and value not in {str(i) for i in range(len(q.choices))}:
            continue
        rows.append(Answer(invitation=invitation, question=q, value=value))
    Answer.objects.bulk_create(rows)
    return invitation


# --- feedback from any channel ----------------------------------------------------------------


_CASE_CHANNEL = {
    FeedbackChannel.EMAIL: Channel.EMAIL,
    FeedbackChannel.PHONE: Channel.PHONE,
    FeedbackChannel.IN_PERSON: Channel.IN_PERSON,
    FeedbackChannel.POST: Channel.POST,
    FeedbackChannel.PORTAL: Channel.PORTAL,
    FeedbackChannel.SURVEY: Channel.EMAIL,
}


@transaction.atomic
def feedback_record(
    *,
    kind: str,
    channel: str,
    text: str,
    case: Case | None = None,
    employee: Employee | None = None,
    office: Office | None = None,
    client: Client | None = None,
    by: Employee | None = None,
    survey: SurveyInvitation | None = None,
    at: datetime | None = None,
) -> Feedback:
    """Record praise, a complaint or a suggestion.  A complaint opens its own case, whose clock
    (``complaint.received`` → the policy's COMPLAINT-REPLY) starts at once."""
    now = at or timezone.now()
    kind = FeedbackKind(kind)
    channel = FeedbackChannel(channel)
    text = (text or "").strip()
    if not text:
        raise FeedbackError(_("Feedback needs its text."))
    if case is None and employee is None and office is None:
        raise FeedbackError(_("Feedback is about a case, an employee or an office: choose one."))
    client = client or (case.client if case is not None else None)
    feedback = Feedback.objects.create(
        kind=kind,
        channel=channel,
        text=text,
        client=client,
        case=case,
        employee=employee,
        office=office,
        survey=survey,
        recorded_by=by,
        received_at=now,
    )
    if case is not None:
        record_event(
            case=case,
            type=Event.FEEDBACK_RECEIVED,
            actor=by,
            at=now,
            feedback=feedback.pk,
            kind=kind.value,
            channel=channel.value,
        )
    if kind is FeedbackKind.COMPLAINT:
        if client is None:
            raise FeedbackError(_("A complaint opens a case and needs the client who complained."))
        complaint = case_open(
            client=client,
            channel=_CASE_CHANNEL[channel],
            subject=(_("Complaint: %(text)s") % {"text": text[:200]}),
            programme=case.programme if case is not None else None,
            office=office or (case.office if case is not None else None),
            team=case.team if case is not None else None,
            by=by,
            at=now,
        )
        feedback.complaint_case = complaint
        feedback.save(update_fields=["complaint_case"])
        record_event(
            case=complaint,
            type=Event.COMPLAINT_RECEIVED,
            actor=by,
            at=now,
            feedback=feedback.pk,
            channel=_CASE_CHANNEL[channel].value,
        )
    return feedback


# --- campaigns ----------------------------------------------------------------------------------


def campaign_audience(campaign: Campaign) -> Any:
    """The latest case per client in the campaign's filters (programme, channel, period):
    ``campaigns.audience_cases``, the query that also counts the audience before sending."""
    from charterdesk.feedback.campaigns import Audience, audience_cases

    return audience_cases(Audience.of(campaign))


def campaign_send_batch(*, campaign: Campaign, now: datetime | None = None) -> int:
    """Invite the next ``batch_size`` clients of the audience not yet invited by this campaign;
    each invitation in its own transaction (one bad address does not stop the batch)."""
    now = now or timezone.now()
    invited = set(
        SurveyInvitation.objects.filter(campaign=campaign).values_list("client_id", flat=True)
    )
    sent = 0
    for row in campaign_audience(campaign).iterator():
        if sent >= campaign.batch_size:
            break
        if row["client_id"] in invited:
            continue
        case = Case.objects.select_related("client", "office", "programme", "assignee").get(
            pk=row["case_id"]
        )
        try:
            if survey_invite(case=case, campaign=campaign, now=now) is not None:
                sent += 1
        except Exception as exc:
            log.warning(
                "campaign %s: client %s not invited: %s", campaign.pk, row["client_id"], exc
            )
    return sent


def campaign_results(campaign: Campaign) -> dict[str, Any]:
    """Response rate and each question's results, by aggregates."""
    from django.db.models import Count

    invitations = SurveyInvitation.objects.filter(campaign=campaign)
    totals = invitations.aggregate(sent=Count("id"), answered=Count("answered_at"))
    questions = []
    for q in campaign.questions.all():
        counts = dict(
            Answer.objects.filter(question=q)
            .values("value")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("value", "n")
        )
        entry: dict[str, Any] = {"question": q, "counts": counts}
        if q.kind == QuestionKind.SCALE:
            n = sum(counts.values())
            entry["mean"] = (sum(int(v) * c for v, c in counts.items()) / n) if n else None
        if q.kind == QuestionKind.TEXT:
            entry["texts"] = list(
                Answer.objects.filter(question=q)
                .order_by("id")
                .values_list("value", flat=True)[:200]
            )
        questions.append(entry)
    rate = totals["answered"] / totals["sent"] if totals["sent"] else None
    return {
        "sent": totals["sent"],
        "answered": totals["answered"],
        "rate": rate,
        "questions": questions,
    }
