"""The rate limit per sending domain (issue 13): many addresses of one domain pass a limit per
address; past the domain's limit they go to quarantine; public mail services are exempt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from charterdesk.channels.email.intake.details import shown
from charterdesk.channels.email.intake.process import process_pending
from charterdesk.channels.email.intake.store import RawMail, store_raw
from charterdesk.channels.email.models import InboundEmail, InboundState, QuarantineReason
from tests.email.messages import build

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def flood(domain: str, count: int, start: int = 0) -> None:
    store_raw(
        [
            RawMail(
                build(sender=f"user{i}@{domain}", subject=f"Nr. {i}"),
                "test",
                received_at=T0 + timedelta(seconds=i),
            )
            for i in range(start, start + count)
        ]
    )


@pytest.mark.parametrize("batch_size", [3, 500])
def test_past_the_domain_limit_messages_are_quarantined(settings, batch_size):
    settings.CHARTERDESK_EMAIL_DOMAIN_RATE_LIMIT = (5, 3600)
    flood("spoofed.example", 4)
    process_pending(workers=0, batch_size=batch_size)  # four now …
    flood("spoofed.example", 4, start=4)
    flood("gmail.com", 8, start=100)
    process_pending(workers=0, batch_size=batch_size)  # … and four later: the 6th is over
    rows = InboundEmail.objects.filter(sender_domain="spoofed.example").order_by("received_at")
    assert [r.state for r in rows] == [InboundState.PROCESSED] * 5 + [InboundState.QUARANTINED] * 3
    held = rows.last()
    assert held.reason == QuarantineReason.RATE_LIMITED
    with translation.override("lv"):
        assert shown(held.error, held.info) == (
            "Vairāk nekā 5 e-pasti no domēna spoofed.example 3\u00a0600 sekunžu laikā."
        )
    gmail = InboundEmail.objects.filter(sender_domain="gmail.com")
    assert gmail.count() == 8 and all(r.state == InboundState.PROCESSED for r in gmail)
