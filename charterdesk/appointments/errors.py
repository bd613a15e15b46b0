"""Refusals of the appointment services: each message says what and why, in the user's language."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from charterdesk.appointments.slots import Slot


class AppointmentError(Exception):
    """A booking or visit step that cannot be done as asked; nothing was changed."""


class SlotTaken(AppointmentError):
    """Someone booked this consultant's time first; ``next_slots`` are the next free ones."""

    def __init__(self, next_slots: Sequence[Slot]) -> None:
        super().__init__(_("This time was just taken. Choose one of the next free times."))
        self.next_slots = list(next_slots)


class NotBookable(AppointmentError):
    pass
