"""Consultations in person: schedules, free slots, bookings, invitations, reminders, the day view.

A consultation is part of the client's case: booking, moving, cancelling and every step of the visit
are written on the case timeline through ``charterdesk.cases`` and keep the office's business
calendar (``charterdesk.calendar``) as their clock.  ``docs/appointments.md`` has the details.
"""
