from __future__ import annotations

import pytest

from charterdesk.calendar.registry import clear_cache


@pytest.fixture(autouse=True)
def _fresh_calendars():
    # Calendars are cached per process; each test starts from its own database rows.
    clear_cache()
    yield
    clear_cache()
