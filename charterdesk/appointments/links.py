"""The client's signed links: move, cancel, "I will be late by N minutes" [CLIENT-LATE-NOTICE].

A link is single-purpose (the purpose is inside the signature), works once (its nonce is stored in
``LinkUse`` in the same transaction as the change it makes), belongs to one version of the
appointment (a link from before a move does not act on the moved appointment) and expires: move and
cancel links at the consultation's start, the late link an hour after it, and every link after
``MAX_AGE`` at the latest.  A forged, expired or used link changes nothing and gets a page saying
which of these it is.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from charterdesk.appointments.models import Appointment, AppointmentStatus, LinkUse

SALT = "charterdesk.appointments.link"
MAX_AGE = timedelta(days=90)
LATE_GRACE = timedelta(hours=1)


class Purpose(StrEnum):
    MOVE = "move"
    CANCEL = "cancel"
    LATE = "late"


class LinkProblem(StrEnum):
    FORGED = "forged"
    EXPIRED = "expired"
    USED = "used"
    OUTDATED = "outdated"  # the appointment changed since (moved, cancelled, finished)


class LinkRefused(Exception):
    def __init__(self, problem: LinkProblem, appointment: Appointment | None = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.appointment = appointment


@dataclass(frozen=True, slots=True)
class Link:
    appointment: Appointment
    purpose: Purpose
    nonce: str


def make_token(appointment: Appointment, purpose: Purpose) -> str:
    payload = {
        "a": appointment.pk,
        "p": purpose.value,
        "s": appointment.sequence,
        "n": secrets.token_urlsafe(12),
    }
    return signing.dumps(payload, salt=SALT, compress=True)


def url(appointment: Appointment, purpose: Purpose, language: str = "lv") -> str:
    base = str(getattr(settings, "CHARTERDESK_PUBLIC_URL", "http://localhost:8000")).rstrip("/")
    with translation.override(language):
        path = reverse("appointment_link", kwargs={"token": make_token(appointment, purpose)})
    return f"{base}{path}"


def text_block(appointment: Appointment, language: str) -> str:
    with translation.override(language):
        return "\n".join(
            [
                _("To move the consultation: %(url)s")
                % {"url": url(appointment, Purpose.MOVE, language)},
                _("To cancel it: %(url)s") % {"url": url(appointment, Purpose.CANCEL, language)},
                _("If you will be late, tell us here: %(url)s")
                % {"url": url(appointment, Purpose.LATE, language)},
            ]
        )


def _expires(appointment: Appointment, purpose: Purpose) -> datetime:
    if purpose is Purpose.LATE:
        return appointment.starts_at + LATE_GRACE
    return appointment.starts_at


def read(token: str, now: datetime | None = None) -> Link:
    """The link's appointment and purpose, or :class:`LinkRefused` saying what is wrong."""
    now = now or timezone.now()
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise LinkRefused(LinkProblem.EXPIRED) from None
    except signing.BadSignature:
        raise LinkRefused(LinkProblem.FORGED) from None
    try:
        purpose = Purpose(payload["p"])
        appointment = Appointment.objects.select_related(
            "office", "programme", "consultant", "case", "case__client"
        ).get(pk=int(payload["a"]))
        sequence = int(payload["s"])
        nonce = str(payload["n"])
    except (KeyError, ValueError, TypeError, Appointment.DoesNotExist):
        raise LinkRefused(LinkProblem.FORGED) from None
    if LinkUse.objects.filter(nonce=nonce).exists():
        raise LinkRefused(LinkProblem.USED, appointment)
    if appointment.sequence != sequence or appointment.status != AppointmentStatus.BOOKED:
        raise LinkRefused(LinkProblem.OUTDATED, appointment)
    if now >= _expires(appointment, purpose) or appointment.started_at is not None:
        raise LinkRefused(LinkProblem.EXPIRED, appointment)
    return Link(appointment, purpose, nonce)


def spend(link: Link, now: datetime) -> None:
    """Record the link as used; inside the transaction of the change it makes.  A second use
    racing this one fails on the unique nonce and rolls its change back."""
    LinkUse.objects.create(
        nonce=link.nonce, appointment=link.appointment, purpose=link.purpose.value, used_at=now
    )
