"""Background tasks of general use."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def heartbeat(note: str = "") -> dict[str, str]:
    """Proves a worker is alive: returns the moment it ran (used by the health check and tests)."""
    return {"ran_at": timezone.now().isoformat(), "note": note}
