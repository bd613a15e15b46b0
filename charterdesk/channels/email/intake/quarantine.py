"""Quarantine: messages held with a reason until an administrator releases or deletes them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from charterdesk.channels.email.intake.process import process_pending
from charterdesk.channels.email.models import InboundEmail, InboundState
from charterdesk.core.validators import normalise_email

RELEASABLE = (InboundState.QUARANTINED, InboundState.DUPLICATE)


class QuarantineError(Exception):
    """A quarantine action that cannot be done; the text says why."""


@transaction.atomic
def inbound_mark_released(*, inbound: InboundEmail, by: str = "", sender: str = "") -> InboundEmail:
    """Put a held message back to be processed with the checks that held it lifted (size,
    attachment types, automatic mail, rate limit, own address, duplicate).  ``sender`` supplies an
    address for a message that has none usable."""
    row = InboundEmail.objects.select_for_update().get(pk=inbound.pk)
    if row.state not in RELEASABLE:
        raise QuarantineError(
            _("E-mail #%(id)s is %(state)s, not in quarantine; nothing to release.")
            % {"id": row.pk, "state": row.get_state_display()}
        )
    if sender:
        try:
            sender = normalise_email(sender)
        except ValidationError as exc:
            raise QuarantineError(" ".join(exc.messages)) from None
    info = dict(row.info or {})
    history = list(info.get("quarantine_history", []))
    history.append(
        {
            "state": row.state,
            "reason": row.reason,
            "error": row.error,
            "released_at": timezone.now().isoformat(),
            "by": by,
        }
    )
    info["quarantine_history"] = history
    if sender:
        info["release_sender"] = sender
    row.info = info
    row.state = InboundState.STORED
    row.reason = ""
    row.error = ""
    row.attempts = 0
    row.released_at = timezone.now()
    row.released_by = by[:150]
    row.save(
        update_fields=["info", "state", "reason", "error", "attempts", "released_at", "released_by"]
    )
    return row


def inbound_release(*, inbound: InboundEmail, by: str = "", sender: str = "") -> InboundEmail:
    """Release and process at once; returns the row as it ended (a case, or held again if even a
    released message cannot become one, e.g. still no sender address)."""
    row = inbound_mark_released(inbound=inbound, by=by, sender=sender)
    process_pending(ids=[row.pk], workers=0)
    row.refresh_from_db()
    return row


@transaction.atomic
def inbound_delete(*, inbound: InboundEmail) -> None:
    """Delete a held message for good (quarantined or duplicate rows only)."""
    row = InboundEmail.objects.select_for_update().get(pk=inbound.pk)
    if row.state not in RELEASABLE:
        raise QuarantineError(
            _("E-mail #%(id)s is %(state)s; only messages in quarantine can be deleted.")
            % {"id": row.pk, "state": row.get_state_display()}
        )
    row.delete()
