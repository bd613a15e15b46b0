"""The desk's hand-written date formatting gives what Django's ``date_format`` gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import formats, timezone, translation

from charterdesk.desk.templatetags.desk import when

# Every month, both sides of the summer-time changes in Riga, midnight and single-digit days.
MOMENTS = (
    [
        datetime(2026, month, day, hour, 5, tzinfo=UTC)
        for month in range(1, 13)
        for day, hour in ((1, 0), (9, 21), (28, 23))
    ]
    + [datetime(2026, 3, 29, 0, 59, tzinfo=UTC) + timedelta(minutes=m) for m in (0, 1, 2)]
    + [datetime(2026, 10, 25, 0, 59, tzinfo=UTC) + timedelta(minutes=m) for m in (0, 1, 2)]
)


@pytest.mark.parametrize(("language", "pattern"), [("lv", "d.m.Y H:i"), ("en", "j M Y H:i")])
def test_when_equals_date_format(language, pattern):
    with translation.override(language):
        for moment in MOMENTS:
            expected = formats.date_format(timezone.localtime(moment), pattern)
            assert when(moment) == expected, moment


def test_when_reads_latvian_and_english():
    moment = datetime(2026, 11, 25, 12, 5, tzinfo=UTC)  # 14:05 in Riga
    with translation.override("lv"):
        assert when(moment) == "25.11.2026 14:05"
    with translation.override("en"):
        assert when(moment) == "25 Nov 2026 14:05"
    assert when(None) == ""
