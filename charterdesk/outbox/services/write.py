"""Writing an outbound case message into the outbox, inside the case change's transaction.

Everything the mail will be is decided here and stored: recipient, subject with the case reference,
the text and HTML bodies with the identity block [EMAIL-IDENTITY], the threading headers and the
``Message-ID``.  Sending later only reads the row, so a resend is the same mail.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import datetime
from email.header import decode_header, make_header
from email.utils import format_datetime, formataddr, parseaddr

import nh3
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from charterdesk.cases.message_ids import angled
from charterdesk.cases.models import Case, Direction, Message, MessageKind
from charterdesk.directory.models import Employee, Institution
from charterdesk.outbox.errors import IdentityMissing, NoRecipient, OutboxRefused
from charterdesk.outbox.identity import block_language, institution_name, render_identity_block
from charterdesk.outbox.models import NOTICE, OutboxMessage, OutboxState

logger = logging.getLogger(__name__)

# How many earlier Message-IDs a References header keeps (RFC 5322 allows trimming the middle).
MAX_REFERENCES = 20
_REPLY_PREFIX = re.compile(r"^\s*(re|atb|aw|sv|fw|fwd)\s*(\[\d+\])?\s*:\s*", re.IGNORECASE)


def current_institution() -> Institution | None:
    """The institution that runs the desk (one row; the first if an administrator made more)."""
    return Institution.objects.order_by("pk").first()


def mail_domain() -> str:
    """The right-hand side of our Message-IDs: ``CHARTERDESK_MAIL_DOMAIN`` or the sender's domain."""
    configured = getattr(settings, "CHARTERDESK_MAIL_DOMAIN", "")
    if configured:
        return str(configured)
    return settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">").strip() or "localhost"


def new_message_id(case: Case, message: Message) -> str:
    """``<ALT-2026-000123.m42.3f9a1c0d5e7b2a46@altum.lv>``: the case and message for a person
    reading headers, a random part so it is unique across databases and restores."""
    return f"<{case.reference}.m{message.pk}.{secrets.token_hex(8)}@{mail_domain()}>"


def sender_verified(message: Message | None) -> bool:
    """The receiving server confirmed who sent ``message`` (SPF/DKIM/DMARC aligned ``pass``,
    stored by e-mail intake in ``meta["auth"]``)."""
    auth = (message.meta or {}).get("auth") if message is not None else None
    return isinstance(auth, dict) and auth.get("verdict") == "pass"


def _bare_subject(subject: str, case: Case) -> str:
    """``subject`` without reply prefixes (``Re: Atb: Fwd:``) and without the case tag."""
    text = " ".join((subject or "").split()).replace(f"[{case.reference}]", " ")
    while True:
        stripped = _REPLY_PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return " ".join(text.split())


def thread_subject(case: Case, answers: Message | None, message: Message) -> str:
    """``Re: <the case's subject> [ALT-2026-000123]``; the reference is added once.

    The case's subject is what the client first wrote about; the subject of their latest mail is
    not used, because that is often our own acknowledgement's ("Re: Jūsu e-pasts ir saņemts").
    An automatic acknowledgement repeats a subject only of a sender the receiving server verified;
    otherwise it has its template's own subject (``Jūsu e-pasts ir saņemts``): anybody can put
    another person's address in From, and an echo would carry their text to that person
    (issue 13)."""
    if message.kind == MessageKind.ACK and not sender_verified(answers):
        subject = _bare_subject(message.subject, case)
    else:
        base = _bare_subject(case.subject, case) or _bare_subject(message.subject, case)
        if not base and answers is not None:
            base = _bare_subject(answers.subject, case)
        subject = f"Re: {base}" if answers is not None and base else base
    tag = f"[{case.reference}]"
    subject = f"{subject[: 398 - len(tag)].rstrip()} {tag}".strip()
    return subject[:400]


def subject_for_reply(case: Case) -> str:
    """The subject an answer written now on ``case`` will carry (the composer's preview)."""
    probe = Message(case=case, subject=case.subject)
    return thread_subject(case, last_inbound(case), probe)


def last_inbound(case: Case) -> Message | None:
    return (
        Message.objects.filter(case=case, direction=Direction.INBOUND)
        .order_by("-created_at", "-id")
        .first()
    )


def _answers(case: Case, message: Message) -> Message | None:
    acknowledged = (message.meta or {}).get("acknowledges")
    if acknowledged is not None:
        found = Message.objects.filter(
            pk=acknowledged, case=case, direction=Direction.INBOUND
        ).first()
        if found is None:
            raise OutboxRefused(
                _(
                    "The acknowledgement on case %(ref)s names message %(pk)s, which is not the "
                    "client's message on this case."
                )
                % {"ref": case.reference, "pk": acknowledged}
            )
        return found
    return last_inbound(case)


def _references(answers: Message | None) -> tuple[str, str]:
    if answers is None or not answers.message_id.strip():
        return "", ""
    parent = angled(answers.message_id)
    earlier = [angled(x) for x in (answers.references or "").split() if x.strip()]
    chain = [*earlier, parent][-MAX_REFERENCES:]
    return parent, " ".join(chain)


def _sender(case: Case, institution: Institution, language: str) -> str:
    address = settings.DEFAULT_FROM_EMAIL
    if "<" in address:  # already "Name <addr>"
        return address
    if case.programme_id and case.programme and case.programme.public_email:
        address = case.programme.public_email
    return formataddr((institution_name(institution, language), address))


def readable_address(header_value: str) -> str:
    """``Name <addr>`` with the name decoded (RFC 2047), for showing on the case timeline."""
    name, address = parseaddr(header_value)
    name = str(make_header(decode_header(name))) if name else ""
    return f"{name} <{address}>" if name else address


def text_to_html(text: str) -> str:
    """Plain text as escaped HTML paragraphs."""
    return linebreaks(text.strip(), autoescape=True)


def compose_bodies(
    *,
    body: str,
    body_html: str,
    identity_text: str,
    identity_html: str,
    language: str,
    subject: str,
) -> tuple[str, str]:
    """The final text and HTML bodies: the message, then the identity block.  HTML written by an
    employee is sanitised with nh3; without it the text is escaped into paragraphs."""
    text = f"{body.rstrip()}\n\n{identity_text}\n"
    inner = nh3.clean(body_html) if body_html.strip() else text_to_html(body)
    # Both marked safe: nh3-cleaned or escaped just above, and auto-escaped template output.
    html = render_to_string(
        "outbox/email.html",
        {
            "language": language,
            "subject": subject,
            "body_html": mark_safe(inner),  # nosec B308 B703
            "identity_html": mark_safe(identity_html),  # nosec B308 B703
        },
    )
    return text, html


def _author_for_identity(message: Message, case: Case) -> Employee | None:
    if message.author is not None:
        return message.author
    if message.kind in (MessageKind.ACK, MessageKind.SURVEY):
        # The system's acknowledgement, and a survey (it asks about the employee, so it comes
        # from the institution), carry the institution's block.
        return None
    raise IdentityMissing(
        _(
            "The %(kind)s on case %(ref)s has no author: an answer to the client must carry the "
            "employee's name and contacts [EMAIL-IDENTITY]. Send it as an employee."
        )
        % {"kind": message.get_kind_display(), "ref": case.reference}
    )


def outbox_write(*, message: Message, at: datetime | None = None) -> OutboxMessage:
    """Write ``message`` (outbound, e-mail) into the outbox; send it after the commit.

    Must run inside the case change's transaction.  Raises :class:`IdentityMissing` or
    :class:`NoRecipient` when the mail may not or cannot be sent; the caller's transaction then
    rolls back with the message, so a case never shows an answer that was not queued."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_write must run inside the case change's transaction")
    now = at or timezone.now()
    case = Case.objects.select_related("client", "programme").get(pk=message.case_id)
    language = block_language(message.language or case.language)
    institution = current_institution()
    employee = _author_for_identity(message, case)
    identity_text, identity_html = render_identity_block(
        institution=institution, employee=employee, language=language
    )
    assert institution is not None
    recipient = (case.client.email or "").strip()
    if not recipient:
        raise NoRecipient(
            _(
                "Case %(ref)s: the client %(client)s has no e-mail address, so the e-mail cannot be "
                "sent. Add the client's address or answer on another channel."
            )
            % {"ref": case.reference, "client": case.client.name}
        )
    answers = _answers(case, message)
    subject = thread_subject(case, answers, message)
    # A Message-ID the case service already gave the message is kept; otherwise ours is fixed now.
    message_id = angled(message.message_id) or new_message_id(case, message)
    in_reply_to, references = _references(answers)
    headers = {
        "Message-ID": message_id,
        "Date": format_datetime(now),
        "Content-Language": language,
        "X-Charterdesk-Case": case.reference,
    }
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
        headers["References"] = references
    if message.kind == MessageKind.ACK:
        # RFC 3834: an automatic answer says so, so other responders do not answer it back;
        # the second header asks Exchange not to send its own auto-replies to it.
        headers["Auto-Submitted"] = "auto-replied"
        headers["X-Auto-Response-Suppress"] = "All"
    text, html = compose_bodies(
        body=message.body,
        body_html=message.body_html,
        identity_text=identity_text,
        identity_html=identity_html,
        language=language,
        subject=subject,
    )
    row = OutboxMessage.objects.create(
        case=case,
        case_message=message,
        kind=message.kind,
        answers=answers,
        language=language,
        from_email=_sender(case, institution, language),
        to=recipient,
        subject=subject,
        body_text=text,
        body_html=html,
        identity_text=identity_text,
        identity_html=identity_html,
        message_id=message_id,
        headers=headers,
        state=OutboxState.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    _record_on_case_message(row)
    transaction.on_commit(lambda: outbox_enqueue(outbox_id=row.pk), robust=True)
    return row


def _record_on_case_message(row: OutboxMessage) -> None:
    """Put the fixed Message-ID, sender, recipient and threading on the case message too, so
    e-mail intake links the client's answer (In-Reply-To) and bounces to the case by
    ``cases.Message.message_id``.  Only the case services write case messages: this uses
    ``case_set_mail_headers`` once cases provides it (see docs/email-outbound.md)."""
    from charterdesk.cases import services as case_services

    setter = getattr(case_services, "case_set_mail_headers", None)
    if setter is None:
        return
    setter(
        message=row.case_message,
        message_id=row.message_id,
        sender=readable_address(row.from_email),
        recipients=row.to,
        in_reply_to=row.headers.get("In-Reply-To", ""),
        references=row.headers.get("References", ""),
    )


def outbox_enqueue(*, outbox_id: int, run_after: datetime | None = None) -> None:
    """Hand the row to a worker.  Losing this (a crash right after the commit) loses nothing: the
    sweep ``charterdesk outbox send-pending`` sends every pending row that is due."""
    from charterdesk.outbox.tasks import outbox_send

    task = outbox_send.using(run_after=run_after) if run_after is not None else outbox_send
    task.enqueue(outbox_id)


def outbox_write_notice(
    *,
    case: Case,
    employee: Employee,
    subject: str,
    body: str,
    language: str,
    not_before: datetime,
    at: datetime | None = None,
) -> OutboxMessage:
    """Queue a notice to an employee about ``case`` (a deadline notification), sent no earlier
    than ``not_before`` (the caller chooses a working moment).

    Not a case message: the client never sees it and the case timeline does not show it; no
    identity block (it is not an answer to the client).  Must run inside a transaction; the
    row is handed to a worker deferred to ``not_before`` after the commit (and the sweep
    ``charterdesk outbox send-pending`` sends it if that task is lost)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_write_notice must run inside a transaction")
    now = at or timezone.now()
    institution = current_institution()
    domain = mail_domain()
    message_id = f"<notice.{case.pk}.{secrets.token_hex(12)}@{domain}>"
    sender = settings.DEFAULT_FROM_EMAIL
    if institution is not None and institution.general_email:
        sender = formataddr(("charterdesk", institution.general_email))
    headers = {
        "Message-ID": message_id,
        "Date": format_datetime(now),
        "Content-Language": language,
        "X-Charterdesk-Case": case.reference,
        # An automatic message: out-of-office replies should not answer it.
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }
    row = OutboxMessage.objects.create(
        case=case,
        case_message=None,
        to_employee=employee,
        kind=NOTICE,
        answers=None,
        language=language,
        from_email=sender,
        to=employee.email,
        subject=subject,
        body_text=body,
        body_html=text_to_html(body),
        identity_text="",
        identity_html="",
        message_id=message_id,
        headers=headers,
        state=OutboxState.PENDING,
        attempts=0,
        next_attempt_at=max(not_before, now),
        created_at=now,
    )
    when = row.next_attempt_at
    transaction.on_commit(lambda: outbox_enqueue(outbox_id=row.pk, run_after=when), robust=True)
    return row
