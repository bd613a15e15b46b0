"""Satisfaction surveys after a case, a call or a visit; feedback from any channel; survey
campaigns.  [SURVEYS] [FEEDBACK-ANY-CHANNEL]"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from charterdesk.cases.models import Case
from charterdesk.clients.models import Client
from charterdesk.directory.models import Employee, Office, Programme


class SurveyKind(models.TextChoices):
    CASE = "case", _("after a resolved case")
    CALL = "call", _("after a call")
    VISIT = "visit", _("after a visit")
    CAMPAIGN = "campaign", _("survey campaign")


class SentVia(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("text message")


class Campaign(models.Model):
    """A survey for research: its questions, an audience chosen by filters, sent in batches."""

    title_lv = models.CharField(_("title (Latvian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, null=True, blank=True
    )
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    period_start = models.DateField(_("cases opened from"))
    period_end = models.DateField(_("cases opened until"))
    batch_size = models.PositiveIntegerField(_("batch size"), default=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")

    def __str__(self) -> str:
        return self.title_lv


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("scale 1–5")
    CHOICE = "choice", _("choice")
    TEXT = "text", _("text")


class Question(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    text_lv = models.CharField(_("question (Latvian)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300)
    choices = models.JSONField(
        _("choices"), default=list, blank=True, help_text=_("For a choice: [[lv, en], …]")
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["campaign", "position", "id"]

    def __str__(self) -> str:
        return self.text_lv


class SurveyInvitation(models.Model):
    """One survey sent to one client, answerable once through its signed link until it expires.
    It carries the channel, office, programme and employee of what it asks about."""

    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices)
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="survey_invitations"
    )
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    channel = models.CharField(_("channel"), max_length=10)
    office = models.ForeignKey(
        Office, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    employee = models.ForeignKey(
        Employee, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(_("language"), max_length=2, default="lv")
    via = models.CharField(_("sent via"), max_length=5, choices=SentVia.choices)
    nonce = models.CharField(max_length=32, unique=True)
    sent_at = models.DateTimeField(_("sent"))
    expires_at = models.DateTimeField(_("link valid until"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["client", "sent_at"], name="survey_client_sent")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5),
                name="survey_score_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case_id}"


class Answer(models.Model):
    """A campaign question's answer."""

    invitation = models.ForeignKey(
        SurveyInvitation, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.TextField(_("answer"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "question"], name="one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return self.value[:60]


class FeedbackKind(models.TextChoices):
    PRAISE = "praise", _("praise")
    COMPLAINT = "complaint", _("complaint")
    SUGGESTION = "suggestion", _("suggestion")


class FeedbackChannel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    PHONE = "phone", _("phone")
    IN_PERSON = "in_person", _("in person")
    POST = "post", _("letter")
    PORTAL = "portal", _("client portal")
    SURVEY = "survey", _("survey comment")


class Feedback(models.Model):
    """Praise, a complaint or a suggestion, from any channel, about a case, an employee or an
    office.  A complaint gets its own case (``complaint_case``) with the policy's deadlines."""

    kind = models.CharField(_("kind"), max_length=12, choices=FeedbackKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=FeedbackChannel.choices)
    text = models.TextField(_("text"))
    client = models.ForeignKey(
        Client, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("about the case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback",
    )
    employee = models.ForeignKey(
        Employee,
        verbose_name=_("about the employee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_about",
    )
    office = models.ForeignKey(
        Office,
        verbose_name=_("about the office"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    complaint_case = models.OneToOneField(
        Case,
        verbose_name=_("complaint case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaint",
    )
    survey = models.ForeignKey(
        SurveyInvitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        Employee,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received"))

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=False)
                | models.Q(employee__isnull=False)
                | models.Q(office__isnull=False),
                name="feedback_is_about_something",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"
