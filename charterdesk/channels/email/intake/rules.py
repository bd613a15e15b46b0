"""Step two of intake, for one parsed message: decide, then open a case or add a message.

The order of the rules (each message goes to exactly one outcome):

1. already taken in (its Message-ID is on an inbound case message)  -> ``duplicate``
2. sent from one of our own addresses                               -> quarantine ``own_address``
3. a forbidden attachment                                            -> quarantine
4. a delivery report (bounce)  -> the outbox marks its row bounced (which records
   ``message.bounced`` on the case); a report the outbox does not know (a delay, or a message it
   did not send) but whose case is found becomes an internal note; a report for mail we did not
   send                                                              -> quarantine
5. threaded (In-Reply-To / References, then the reference in the subject) to a case, or not;
   the subject threads only the case's own client (``linking``); anybody else's message that
   names a case opens a new one linked to it as "mentions"
6. automatic (RFC 3834, Precedence, List-Id, null sender) and on no case -> quarantine
7. over the per-sender rate limit, or the per-domain one (``limits``) -> quarantine
8. the client by address (created if new); no usable address        -> quarantine ``no_sender``
9. a new case for the programme whose address it was sent to, or a message on the found case.
   An automatic message on a case that is already finished becomes an internal note so that an
   out-of-office reply does not reopen it.

A released message (``force``) skips rules 1, 2, 3, 6 and 7.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from charterdesk.cases import message_ids
from charterdesk.cases.models import Case, Channel, Direction, Message, MessageKind
from charterdesk.cases.services import AttachmentData, InboundItem, case_add_message
from charterdesk.cases.status import ACTIVE, Status
from charterdesk.channels.email import conf
from charterdesk.channels.email.intake.authentication import sender_authentication
from charterdesk.channels.email.intake.context import BatchContext, Outcome
from charterdesk.channels.email.intake.linking import (
    find_case,
    mentioned_cases,
    outbound_message,
)
from charterdesk.channels.email.intake.mentions import link_mentions
from charterdesk.channels.email.models import InboundEmail, InboundState, QuarantineReason
from charterdesk.channels.email.parsing import Address, ParsedEmail
from charterdesk.clients.models import Client
from charterdesk.core.validators import normalise_email
from charterdesk.directory.models import Programme
from charterdesk.outbox.services import outbox_mark_bounced


def _attachments(parsed: ParsedEmail) -> list[AttachmentData]:
    return [
        AttachmentData(
            filename=a.filename,
            content_type=a.content_type,
            content=a.content,
            inline=a.inline,
            content_id=a.content_id,
        )
        for a in parsed.attachments
    ]


def forbidden_attachments(parsed: ParsedEmail) -> list[str]:
    """The forbidden files of ``parsed``: attachments, and files inside attached messages and
    archives (``zip/inside.exe``; ``parsing/contents.py``)."""
    extensions = conf.forbidden_extensions()
    types = conf.forbidden_types()
    files = [(a.filename, a.content_type) for a in parsed.attachments] + parsed.inner_files
    return [
        name
        for name, ctype in files
        if name.rsplit("/", 1)[-1].lower().rstrip(". ").endswith(extensions)
        or ctype.lower() in types
    ]


def _meta(row: InboundEmail, parsed: ParsedEmail, how: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"inbound_email": row.pk, "source": row.source}
    if parsed.auto_submitted:
        meta["auto_submitted"] = True
        meta["auto_reason"] = parsed.auto_submitted
    if parsed.quoted:
        meta["quoted_text"] = parsed.quoted
    if parsed.repairs:
        meta["charset_repairs"] = parsed.repairs[:50]
    if parsed.defects:
        meta["defects"] = parsed.defects[:50]
    if parsed.security:
        meta["security"] = parsed.security
    if how:
        meta["threaded_by"] = how
    if parsed.date:
        meta["date_header"] = parsed.date.isoformat()
    if parsed.reply_to:
        meta["reply_to"] = [str(a) for a in parsed.reply_to]
    return meta


def _programme(row: InboundEmail, parsed: ParsedEmail, ctx: BatchContext) -> Programme | None:
    """The programme whose address the message was sent to: the envelope recipients first (they
    are what the mail server delivered to), then Delivered-To, To and Cc; else the mailbox's."""
    candidates = [str(a).lower() for a in row.envelope.get("rcpt_tos", [])]
    candidates += parsed.delivered_to + [a.address.lower() for a in parsed.recipients]
    for address in candidates:
        if address in ctx.programmes:
            return ctx.programmes[address]
    code = row.envelope.get("programme") or ""
    return ctx.programme_codes.get(code) if code else None


def _client(parsed: ParsedEmail, ctx: BatchContext, override: str = "") -> Client | None:
    choices: list[Address] = []
    if override:
        choices.append(Address("", override))
    if parsed.sender:
        choices.append(parsed.sender)
    choices += parsed.reply_to
    for address in choices:
        try:
            normalise_email(address.address)
        except ValidationError:
            continue
        return ctx.client_for(address, parsed.language)
    return None


def _bounce(
    row: InboundEmail, parsed: ParsedEmail, ctx: BatchContext, force: bool
) -> Outcome | None:
    report = parsed.report
    assert report is not None
    info: dict[str, Any] = {
        "report": {
            "original_message_id": report.original_message_id,
            "action": report.action,
            "status": report.status,
            "recipients": report.recipients[:20],
            "diagnostic": report.diagnostic[:1000],
        }
    }
    reason = (
        "; ".join(
            p for p in (report.status, report.diagnostic, ", ".join(report.recipients[:5])) if p
        )
        or parsed.subject
    )
    original = outbound_message(report.original_message_id)
    case = original.case if original else None
    marked = False
    if report.failed and report.original_message_id:
        outbox_row = outbox_mark_bounced(
            message_id=report.original_message_id, reason=reason, at=row.received_at
        )
        marked = outbox_row is not None
        if case is None and outbox_row is not None:
            case = outbox_row.case
    info["outbox_marked_bounced"] = marked
    if case is None:
        if force:
            return None  # released: taken in like any message from the sender
        return Outcome.quarantine(
            QuarantineReason.BOUNCE_UNMATCHED,
            gettext_noop(
                "Delivery report for Message-ID %(message_id)s, which is not a message this "
                "desk sent."
            ),
            {"message_id": report.original_message_id or "—"},
            **info,
        )
    if marked:
        # The outbox recorded ``message.bounced`` on the case, on the message that bounced; the
        # report itself stays on this row (linked to the case) as evidence.
        return Outcome(
            InboundState.PROCESSED,
            case_id=case.pk,
            message_pk=original.pk if original else None,
            info=info,
        )
    with translation.override(settings.LANGUAGE_CODE):
        if report.failed:
            body = _("The e-mail to %(to)s could not be delivered: %(reason)s") % {
                "to": ", ".join(report.recipients) or "?",
                "reason": reason,
            }
        else:
            body = _("Delivery report (%(action)s) for the e-mail to %(to)s: %(reason)s") % {
                "action": report.action or "?",
                "to": ", ".join(report.recipients) or "?",
                "reason": reason,
            }
    note = case_add_message(
        case=case,
        direction=Direction.INTERNAL,
        kind=MessageKind.NOTE,
        body=body,
        channel=Channel.EMAIL,
        subject=parsed.subject,
        sender=str(parsed.sender or ""),
        message_id=parsed.message_id,
        meta={**_meta(row, parsed, ""), **info},
        attachments=_attachments(parsed),
        at=row.received_at,
    )
    ctx.wrote(message_ids.bare(parsed.message_id), case.pk, note.pk)
    return Outcome(InboundState.PROCESSED, case_id=case.pk, message_pk=note.pk, info=info)


def apply_rules(
    row: InboundEmail,
    parsed: ParsedEmail,
    ctx: BatchContext,
    *,
    force: bool = False,
    sender_override: str = "",
) -> Outcome:
    """Apply the rules above, in their order, to one message inside the caller's transaction: a
    client's message is queued for the batch (``ctx.flush`` writes it), anything else is decided
    here. A released message (``force``) skips the refusals of rules 1-3, 6 and 7."""
    info = _diagnostics(parsed)
    sender = parsed.sender.address.lower() if parsed.sender else ""
    auth = sender_authentication(parsed)  # SPF/DKIM/DMARC from our receiving host, or None
    if auth is not None:
        info["auth"] = auth
    if not force:
        refused = _duplicate(parsed, ctx, info) or _refused(parsed, ctx, sender, info)  # 1-3
        if refused is not None:
            return refused
    if parsed.report is not None:  # 4
        ctx.flush()
        bounced = _bounce(row, parsed, ctx, force)
        if bounced is not None:
            bounced.info.update(info)
            return bounced
    forged = auth is not None and auth["verdict"] == "fail"
    case, how, queued_case = _find_case(parsed, ctx, forged)  # 5
    if how:
        info["threaded_by"] = how
    answers_none = case is None and queued_case is None
    if not force:
        held = _held_back(row, parsed, ctx, sender, answers_none, info)  # 6, 7
        if held is not None:
            return held
    client = _client(parsed, ctx, sender_override)  # 8
    if client is None:
        shown = str(parsed.sender) if parsed.sender else "—"
        return Outcome.quarantine(
            QuarantineReason.NO_SENDER,
            gettext_noop("No usable sender address: From is %(sender)s."),
            {"sender": shown},
            **info,
        )
    if sender:
        ctx.count(sender, row.received_at)
    # Not threaded, but naming cases in the subject: a new case that mentions them.
    mentions = mentioned_cases(parsed) if answers_none else []
    if mentions:
        info["mentions"] = [c.reference for c in mentions]
    message = _message_fields(row, parsed, client, how, auth, info.get("mentions"))
    if case is not None and parsed.auto_submitted and Status(case.status) not in ACTIVE:  # 9
        # An out-of-office reply to a finished case: kept on the case as a note, not reopening it.
        ctx.flush()
        note = case_add_message(
            case=case, direction=Direction.INTERNAL, kind=MessageKind.NOTE, **message
        )
        ctx.wrote(message_ids.bare(parsed.message_id), case.pk, note.pk)
        return Outcome(InboundState.PROCESSED, case_id=case.pk, message_pk=note.pk, info=info)
    # A client's message: queued, and written with the batch's others by case_receive_batch
    # (the road of every received message); its outcome gets the case and message then.
    queued = Outcome(InboundState.PROCESSED, info=info)
    ctx.pending.add(
        InboundItem(
            case_id=case.pk if case is not None else None,
            same_case_as=queued_case,
            client=client if answers_none else None,
            programme=_programme(row, parsed, ctx) if answers_none else None,
            language=parsed.language,
            **message,
        ),
        queued,
    )
    if mentions:  # the new case is linked to them once written
        ctx.flush()
        assert queued.case_id is not None and queued.message_pk is not None
        link_mentions(
            Case.objects.get(pk=queued.case_id), Message.objects.get(pk=queued.message_pk), mentions
        )
    return queued


def _diagnostics(parsed: ParsedEmail) -> dict[str, Any]:
    """What the parser repaired or found odd, kept on the outcome whatever it is."""
    info: dict[str, Any] = {}
    if parsed.repairs:
        info["charset_repairs"] = parsed.repairs[:50]
    if parsed.defects:
        info["defects"] = parsed.defects[:50]
    if parsed.auto_submitted:
        info["auto_submitted"] = parsed.auto_submitted
    return info


def _refused(
    parsed: ParsedEmail, ctx: BatchContext, sender: str, info: dict[str, Any]
) -> Outcome | None:
    """Rules 2 and 3: sent from our own address; a forbidden attachment, or one that could hide
    one and could not be inspected."""
    if sender and sender in ctx.own:
        return Outcome.quarantine(
            QuarantineReason.OWN_ADDRESS,
            gettext_noop("Sent from our own address %(address)s."),
            {"address": sender},
            **info,
        )
    blocked = forbidden_attachments(parsed)
    if blocked:
        return Outcome.quarantine(
            QuarantineReason.FORBIDDEN_ATTACHMENT,
            gettext_noop("Forbidden attachment type: %(files)s"),
            {"files": ", ".join(blocked)},
            **info,
        )
    if parsed.inner_problems:  # an archive that could hide one
        return Outcome.quarantine(
            QuarantineReason.FORBIDDEN_ATTACHMENT,
            gettext_noop("An attachment could not be inspected fully: %(problems)s"),
            {"problems": "; ".join(parsed.inner_problems[:10])},
            **info,
        )
    return None


def _held_back(
    row: InboundEmail,
    parsed: ParsedEmail,
    ctx: BatchContext,
    sender: str,
    answers_none: bool,
    info: dict[str, Any],
) -> Outcome | None:
    """Rules 6 and 7: an automatic message that answers no case; over the per-sender or the
    per-domain rate limit (a message held back still counts towards the limit)."""
    if answers_none and parsed.auto_submitted:
        return Outcome.quarantine(
            QuarantineReason.AUTO_UNTHREADED,
            gettext_noop("Automatic message (%(why)s) that answers no case."),
            {"why": parsed.auto_submitted},
            **info,
        )
    if not sender:
        return None
    if ctx.over_limit(sender, row.received_at):
        ctx.count(sender, row.received_at)
        return Outcome.quarantine(
            QuarantineReason.RATE_LIMITED,
            gettext_noop(
                "More than %(limit)s messages from %(sender)s within %(seconds)s seconds."
            ),
            {"limit": ctx.limit, "sender": sender, "seconds": ctx.window},
            **info,
        )
    domain = ctx.domains.over(sender, row.received_at)
    if domain:
        ctx.count(sender, row.received_at)
        return Outcome.quarantine(
            QuarantineReason.RATE_LIMITED,
            gettext_noop(
                "More than %(limit)s messages from the domain %(domain)s within %(seconds)s "
                "seconds."
            ),
            {"limit": ctx.domains.limit, "domain": domain, "seconds": ctx.domains.window},
            **info,
        )
    return None


def _message_fields(
    row: InboundEmail,
    parsed: ParsedEmail,
    client: Client,
    how: str,
    auth: dict[str, Any] | None,
    mentions: list[str] | None,
) -> dict[str, Any]:
    """The case message's fields, as ``case_receive_batch`` and ``case_add_message`` take them."""
    meta = _meta(row, parsed, how)
    if auth is not None:
        meta["auth"] = auth
    if mentions:
        meta["mentions"] = mentions
    return dict(
        body=parsed.text,
        subject=parsed.subject,
        body_html=parsed.html,
        sender=str(parsed.sender or client.email)[:300],
        recipients=", ".join(str(a) for a in parsed.recipients),
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=" ".join(parsed.references),
        meta=meta,
        attachments=_attachments(parsed),
        at=row.received_at,
        channel=Channel.EMAIL,
    )


def _duplicate(parsed: ParsedEmail, ctx: BatchContext, info: dict[str, Any]) -> Outcome | None:
    """Rule 1: its Message-ID was taken in already (stored, or queued in this batch)."""
    bare = message_ids.bare(parsed.message_id)
    if not bare or not (ctx.pending.queued(bare) or bare in ctx.taken):
        return None
    duplicate = Outcome(
        InboundState.DUPLICATE,
        info=info,
        error=f"Message-ID {parsed.message_id} was already taken in.",
    )
    if ctx.pending.queued(bare):
        ctx.pending.duplicate_of(bare, duplicate)  # its case and message once written
    else:
        duplicate.case_id, duplicate.message_pk = ctx.taken[bare]
    return duplicate


def _find_case(
    parsed: ParsedEmail, ctx: BatchContext, forged: bool = False
) -> tuple[Case | None, str, int | None]:
    """``linking.find_case`` with the batch's queue in view; the queue is written first where
    only the written queue can tell (and before an automatic message on a case the queue
    touches: request or note depends on that case's status after the queued messages)."""
    pending = ctx.pending
    found = find_case(parsed, ctx.header_rows, pending.by_id, len(pending.items), forged)
    if found is not None:
        case, how, queued_case = found
        touches_queue = queued_case is not None or (case is not None and case.pk in pending.cases)
        if not (parsed.auto_submitted and touches_queue):
            if queued_case is not None:
                target = pending.items[queued_case].case_id
                if target is not None:  # a queued message on a stored case: that case
                    return Case.objects.get(pk=target), how, None
            return case, how, queued_case
    ctx.flush()
    found = find_case(parsed, forged=forged)  # the queue is empty now: never None
    assert found is not None
    return found


def case_of(outcome: Outcome) -> Case | None:
    return Case.objects.filter(pk=outcome.case_id).first() if outcome.case_id else None
