"""Writes to the calendar configuration that must be noticed: the admin calls these.

Changing a schedule, an exception or an override changes deadlines, so after the change commits
every registered change listener runs (the SLA engine registers one that re-computes open timers).
``calendar`` imports nothing of ours: listeners are how it tells the packages above it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from charterdesk.calendar.models import CalendarRevision
from charterdesk.calendar.registry import clear_cache

ChangeListener = Callable[[], None]
_listeners: list[ChangeListener] = []


def register_change_listener(listener: ChangeListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def unregister_change_listener(listener: ChangeListener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def calendar_changed() -> int:
    """Record that schedules or overrides changed: bump the revision (other processes drop their
    cached calendars), clear this process's cache, and after commit run the change listeners.

    Returns the new revision number."""
    with transaction.atomic():
        row, _ = CalendarRevision.objects.select_for_update().get_or_create(pk=1)
        CalendarRevision.objects.filter(pk=row.pk).update(
            number=F("number") + 1, changed_at=timezone.now()
        )
        row.refresh_from_db()
    clear_cache()

    def notify() -> None:
        clear_cache()
        for listener in list(_listeners):
            listener()

    transaction.on_commit(notify)
    return int(row.number)
