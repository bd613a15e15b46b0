"""Hand-over points for other packages.

The automatic acknowledgement [EMAIL-ACK] is sent by the e-mail outbox, not here: the outbox
registers a sender with :func:`register_ack_sender`; when an EMAIL-ACK timer becomes owed (a deferred
task at that moment, or the sweep) the engine calls it once, as
``fn(timer_id=..., case_id=..., message_id=...)``, and records ``handed_over_at`` on the timer in
the same transaction.  The sender sends the acknowledgement through the case services, which writes
``ack.sent`` and so stops the timer.  If the sender raises, the hand-over is rolled back and tried
again by the next sweep.
"""

from __future__ import annotations

from typing import Protocol

#: The commitment whose owed action is the acknowledgement.
ACK_COMMITMENT = "EMAIL-ACK"


class AckSender(Protocol):
    def __call__(self, *, timer_id: int, case_id: int, message_id: int | None) -> None: ...


_ack_senders: list[AckSender] = []


def register_ack_sender(fn: AckSender) -> None:
    """Register the function that sends the acknowledgement (one; a second replaces the first)."""
    _ack_senders[:] = [fn]


def unregister_ack_sender(fn: AckSender | None = None) -> None:
    if fn is None or fn in _ack_senders:
        _ack_senders.clear()


def ack_sender() -> AckSender | None:
    return _ack_senders[0] if _ack_senders else None


def owed_handler(commitment_id: str) -> AckSender | None:
    """The function that performs ``commitment_id``'s owed action, if one is registered."""
    return ack_sender() if commitment_id == ACK_COMMITMENT else None
