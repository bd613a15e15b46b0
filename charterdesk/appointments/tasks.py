"""Thin, idempotent tasks that take ids."""

from __future__ import annotations

from django_tasks import task

from charterdesk.appointments import reminders


@task()
def appointment_remind(appointment_id: int) -> bool:
    """Send one reminder at its due moment (``run_after``); safe to run twice or early."""
    return reminders.appointment_remind(appointment_id=appointment_id)
