"""Ending a request without an answer of our own: referral elsewhere, or decline with reasons."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from charterdesk.cases.errors import CaseError, MissingReasons
from charterdesk.cases.models import Case, Direction, Message, MessageKind
from charterdesk.cases.services._common import check_transition, lock, set_status
from charterdesk.cases.services.messages import case_add_message
from charterdesk.cases.status import Status
from charterdesk.directory.models import Employee, ExternalInstitution

MIN_REASON_LENGTH = 10


@transaction.atomic
def case_refer(
    *,
    case: Case,
    institution: ExternalInstitution,
    by: Employee,
    message_to_client: str,
    expected_version: int | None = None,
) -> Message:
    """Refer to a competent external institution from the register and tell the client [ROUTE-EXTERNAL].

    The message to the client is required and is sent on the case's channel; the event records
    that the client was told and with which contacts."""
    if not institution.is_active:
        raise CaseError(
            _("%(name)s is no longer in the register of institutions.") % {"name": institution.name}
        )
    if not message_to_client.strip():
        raise CaseError(_("Tell the client where to turn: the message to the client is required."))
    locked = lock(case, expected_version, by=by)
    check_transition(locked, Status.REFERRED)
    sent = case_add_message(
        case=locked,
        direction=Direction.OUTBOUND,
        kind=MessageKind.REFERRAL,
        body=message_to_client,
        author=by,
    )
    locked.refresh_from_db()
    locked.referred_to = institution
    locked.save(update_fields=["referred_to"])
    set_status(
        locked,
        Status.REFERRED,
        by=by,
        institution=institution.pk,
        institution_name=institution.name_lv,
        client_told=True,
        message=sent,
        contacts={
            "phone": institution.phone,
            "email": institution.email,
            "website": institution.website,
        },
    )
    return sent


@transaction.atomic
def case_decline(
    *, case: Case, by: Employee, reasons: str, expected_version: int | None = None
) -> Message:
    """Decline with justified reasons, sent to the client [DECLINE-REASONS].  Without reasons the
    decline is refused and nothing changes."""
    text = (reasons or "").strip()
    if len(text) < MIN_REASON_LENGTH:
        raise MissingReasons(
            _(
                "A decline of case %(ref)s needs the justified reasons for the client "
                "(at least %(n)d characters)."
            )
            % {"ref": case.reference, "n": MIN_REASON_LENGTH}
        )
    locked = lock(case, expected_version, by=by)
    check_transition(locked, Status.DECLINED)
    sent = case_add_message(
        case=locked, direction=Direction.OUTBOUND, kind=MessageKind.DECLINE, body=text, author=by
    )
    locked.refresh_from_db()
    set_status(locked, Status.DECLINED, by=by, reasons=text, message=sent)
    return sent
