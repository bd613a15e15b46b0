"""Writes of the post channel: registering a letter that came, fixing a letter we send.

A received letter goes through the same case services as an e-mail (``case_open``,
``case_add_message``), with the moment it was *received* as the message's time, so the
standard's clocks start then, not when someone typed it in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from charterdesk.cases.errors import CaseError
from charterdesk.cases.models import Case, Channel, Direction, Message, MessageKind
from charterdesk.cases.services import AttachmentData, case_add_message, case_open
from charterdesk.channels.post.models import ReceivedLetter, SentLetter
from charterdesk.clients.models import Client
from charterdesk.directory.models import Employee, Programme


class LetterRefused(CaseError):
    """A letter that cannot be written: no postal address, no identity block."""


@dataclass(frozen=True)
class LetterContent:
    """Everything a letter shows; saved as a :class:`SentLetter` or only previewed."""

    registration_number: str
    language: str
    recipient_name: str
    recipient_address: str
    institution_name: str
    institution_address: str
    subject: str
    body_text: str
    identity_text: str
    sent_on: date
    case_reference: str


def letter_content(
    *, case: Case, employee: Employee | None, body: str, sent_on: date, number: str
) -> LetterContent:
    """The letter for ``case`` with ``body``, the institution's identity block [EMAIL-IDENTITY]
    and the client's address; raises :class:`LetterRefused` when one of them is missing."""
    from charterdesk.outbox.errors import IdentityMissing
    from charterdesk.outbox.identity import block_language, institution_name, render_identity_block
    from charterdesk.outbox.services.write import current_institution

    client = case.client
    address = (client.postal_address or "").strip()
    if not address:
        raise LetterRefused(
            _(
                "Case %(ref)s: the client %(client)s has no postal address, so no letter can be "
                "written. Add the address or answer another way."
            )
            % {"ref": case.reference, "client": client.name}
        )
    language = block_language(case.language)
    institution = current_institution()
    try:
        identity_text, _html = render_identity_block(
            institution=institution, employee=employee, language=language
        )
    except IdentityMissing as exc:
        raise LetterRefused(str(exc)) from exc
    assert institution is not None
    return LetterContent(
        registration_number=number,
        language=language,
        recipient_name=client.name,
        recipient_address=address,
        institution_name=institution_name(institution, language),
        institution_address=institution.postal_address,
        subject=f"{case.subject} [{case.reference}]",
        body_text=body.strip(),
        identity_text=identity_text,
        sent_on=sent_on,
        case_reference=case.reference,
    )


def letter_number(case: Case, message: Message | None) -> str:
    """``ALT-2026-000123/L42``: the case and the message, unique per letter."""
    return f"{case.reference}/L{message.pk if message is not None else '…'}"


def letter_write(*, message: Message, at: datetime | None = None) -> SentLetter:
    """Fix the letter for the outbound case ``message`` (channel post), inside the case change's
    transaction; a letter that cannot be complete rolls the whole change back."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("letter_write must run inside the case change's transaction")
    now = at or timezone.now()
    case = Case.objects.select_related("client").get(pk=message.case_id)
    content = letter_content(
        case=case,
        employee=message.author,
        body=message.body,
        sent_on=timezone.localdate(now),
        number=letter_number(case, message),
    )
    return SentLetter.objects.create(
        message=message,
        case=case,
        registration_number=content.registration_number,
        language=content.language,
        recipient_name=content.recipient_name,
        recipient_address=content.recipient_address,
        institution_name=content.institution_name,
        institution_address=content.institution_address,
        subject=content.subject,
        body_text=content.body_text,
        identity_text=content.identity_text,
        sent_on=content.sent_on,
        created_at=now,
    )


def saved_content(letter: SentLetter) -> LetterContent:
    return LetterContent(
        registration_number=letter.registration_number,
        language=letter.language,
        recipient_name=letter.recipient_name,
        recipient_address=letter.recipient_address,
        institution_name=letter.institution_name,
        institution_address=letter.institution_address,
        subject=letter.subject,
        body_text=letter.body_text,
        identity_text=letter.identity_text,
        sent_on=letter.sent_on,
        case_reference=letter.case.reference,
    )


@transaction.atomic
def letter_register(
    *,
    by: Employee,
    registration_number: str,
    sender_name: str,
    received_at: datetime,
    subject: str,
    text: str = "",
    sender_address: str = "",
    letter_date: date | None = None,
    programme: Programme | None = None,
    scan: AttachmentData | None = None,
    case: Case | None = None,
    client: Client | None = None,
    at: datetime | None = None,
) -> Message:
    """Register a letter the client sent: a message on ``case`` or, without one, a new case for
    ``client`` on the post channel.  The message's time is ``received_at`` (when the letter
    came), so the deadlines count from then.  Refuses a received moment in the future, a date on
    the letter after it came, and a registration number used before."""
    now = at or timezone.now()
    number = " ".join((registration_number or "").split())
    if not number:
        raise CaseError(_("The letter needs its registration number."))
    if not (sender_name or "").strip():
        raise CaseError(_("Who sent the letter? The sender is required."))
    if timezone.is_naive(received_at):
        raise CaseError(_("The moment the letter was received must carry a time zone."))
    if received_at > now:
        raise CaseError(_("The letter cannot have been received in the future."))
    if letter_date is not None and letter_date > timezone.localdate(received_at):
        raise CaseError(
            _("The date on the letter (%(date)s) is after the day it was received.")
            % {"date": letter_date.strftime("%d.%m.%Y")}
        )
    if ReceivedLetter.objects.filter(registration_number=number).exists():
        raise CaseError(
            _("Registration number %(number)s is already used by another letter.")
            % {"number": number}
        )
    if case is None:
        if client is None:
            raise CaseError(_("Choose the case the letter belongs to, or the client who sent it."))
        case = case_open(
            client=client,
            channel=Channel.POST,
            subject=subject or _("Letter %(number)s") % {"number": number},
            programme=programme,
            by=by,
            at=received_at,
        )
    message = case_add_message(
        case=case,
        direction=Direction.INBOUND,
        kind=MessageKind.LETTER,
        channel=Channel.POST,
        subject=subject,
        body=text,
        sender=sender_name.strip()[:300],
        attachments=[scan] if scan is not None else (),
        at=received_at,
        meta={
            "registration_number": number,
            "letter_date": letter_date.isoformat() if letter_date else None,
            "registered_by": by.pk,
        },
    )
    try:
        with transaction.atomic():
            ReceivedLetter.objects.create(
                registration_number=number,
                sender_name=sender_name.strip()[:300],
                sender_address=(sender_address or "").strip()[:300],
                letter_date=letter_date,
                received_at=received_at,
                message=message,
                registered_by=by,
                registered_at=now,
            )
    except IntegrityError:
        raise CaseError(
            _("Registration number %(number)s is already used by another letter.")
            % {"number": number}
        ) from None
    return message
