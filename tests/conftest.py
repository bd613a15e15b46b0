"""Shared fixtures.  Tests run on SQLite by default and on PostgreSQL with DATABASE_URL set
(``scripts/test`` runs both)."""

from __future__ import annotations

import pytest

from tests.factories import (  # noqa: F401  (fixtures re-exported)
    make_client,
    make_employee,
    make_institution,
    make_programme,
)


@pytest.fixture(autouse=True)
def _fresh_calendars():
    # Calendars are cached per process; a test that changes schedules must not see an earlier
    # test's calendar.
    from charterdesk.calendar.registry import clear_cache

    clear_cache()
    yield
    clear_cache()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
