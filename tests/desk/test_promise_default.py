"""The promise form's starting date: two days ahead at 12:00, moved to a working day of the
case office's calendar — past weekends and Latvia's public holidays."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from charterdesk.calendar import get_calendar
from charterdesk.desk.forms import default_promise_time

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Tuesday -> Thursday
        (datetime(2026, 11, 24, 9, 0, tzinfo=UTC), datetime(2026, 11, 26, 10, 0, tzinfo=UTC)),
        # Thursday -> Saturday -> Monday
        (datetime(2026, 11, 26, 9, 0, tzinfo=UTC), datetime(2026, 11, 30, 10, 0, tzinfo=UTC)),
        # Monday 16 Nov -> Wednesday 18 Nov, Proclamation Day of Latvia -> Thursday 19 Nov
        (datetime(2026, 11, 16, 9, 0, tzinfo=UTC), datetime(2026, 11, 19, 10, 0, tzinfo=UTC)),
        # 22 Dec -> 24 Dec Christmas Eve, 25, 26 (Sat), 27 (Sun) -> Monday 28 Dec
        (datetime(2026, 12, 22, 9, 0, tzinfo=UTC), datetime(2026, 12, 28, 10, 0, tzinfo=UTC)),
    ],
)
def test_default_promise_skips_weekends_and_public_holidays(now, expected):
    assert default_promise_time(now, get_calendar()) == expected
