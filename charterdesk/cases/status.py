"""Case statuses and the one table of allowed transitions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NEW = "new", _("new")  # arrived, nobody has taken it yet
    OPEN = "open", _("open")  # an employee is working on it
    WAITING = "waiting", _("waiting for the client")  # we asked the client something
    REFERRED = (
        "referred",
        _("referred"),
    )  # sent to a competent external institution [ROUTE-EXTERNAL]
    DECLINED = "declined", _("declined")  # refused with reasons [DECLINE-REASONS]
    RESOLVED = "resolved", _("resolved")  # answered; the client may still write back
    CLOSED = "closed", _("closed")  # finished; only reopening changes it


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset(
        {
            Status.OPEN,
            Status.WAITING,
            Status.REFERRED,
            Status.DECLINED,
            Status.RESOLVED,
            Status.CLOSED,
        }
    ),
    Status.OPEN: frozenset({Status.WAITING, Status.REFERRED, Status.DECLINED, Status.RESOLVED}),
    Status.WAITING: frozenset({Status.OPEN, Status.REFERRED, Status.DECLINED, Status.RESOLVED}),
    Status.REFERRED: frozenset({Status.CLOSED, Status.OPEN}),
    Status.DECLINED: frozenset({Status.CLOSED, Status.OPEN}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.OPEN}),
    Status.CLOSED: frozenset({Status.OPEN}),
}

ACTIVE = frozenset({Status.NEW, Status.OPEN, Status.WAITING})


def can_transition(current: str, target: str) -> bool:
    return Status(target) in TRANSITIONS[Status(current)]
