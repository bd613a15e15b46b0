"""Every write to appointments: booking, moving, cancelling, the visit's steps, walk-ins, notes.

Each is atomic and keyword-only and writes its event on the case timeline; the desk's forms, the
booking form, the client's signed links and commands all call these.
"""

from charterdesk.appointments.services.booking import (
    appointment_book,
    appointment_cancel,
    appointment_move,
)
from charterdesk.appointments.services.visit import (
    VisitStep,
    appointment_add_note,
    appointment_late_notice,
    appointment_step,
    appointment_walk_in,
)

__all__ = [
    "VisitStep",
    "appointment_add_note",
    "appointment_book",
    "appointment_cancel",
    "appointment_late_notice",
    "appointment_move",
    "appointment_step",
    "appointment_walk_in",
]
