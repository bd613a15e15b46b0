"""[PHONE-RING] from the calls themselves: a call has no case (nor a timer) until its note is
written, so the threshold in rings is counted over the calls' moments, one ``GROUP BY``.

The same definition as the phone measures (``channels/phone/measures.py``): *kept* — answered by
the threshold ring; *broken* — answered later, or rang past the threshold unanswered (missed,
abandoned or sent to voicemail after it); a caller who hung up within the threshold was not failed
by the desk and is not counted.  Rings are ``ceil(ms / cycle)`` of the alerting time in
milliseconds (``rings.py``), so "by ring n" is "alerted less than n × cycle + 0.5 ms".  Counted in
the month the call was offered; the employee is the one who answered (their team for a team's
reader, so an unanswered call is in the whole institution's figure only)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce, TruncMonth

from charterdesk.reports.figures.shapes import RIGA, CubeRow, Scope, month_key, text_of
from charterdesk.standard import Policy

RING = "PHONE-RING"


def ring_rows(policy: Policy, start: datetime, end: datetime, scope: Scope) -> list[CubeRow]:
    """Cube rows of ``PHONE-RING`` for the calls offered in [start, end)."""
    if RING not in policy:
        return []
    commitment = policy[RING]
    if commitment.threshold is None or commitment.ring_cycle_seconds is None:
        return []
    from charterdesk.channels.phone.models import Call

    limit = timedelta(
        seconds=commitment.threshold.value * commitment.ring_cycle_seconds, microseconds=500
    )
    # When the caller stopped hearing the ringing tone (as Call.alerting_end, earliest first).
    calls = Call.objects.filter(
        offered_at__gte=start, offered_at__lt=end, first_alert_at__isnull=False
    ).alias(heard_until=Coalesce("answered_at", "abandoned_at", "voicemail_at", "ended_at"))
    if scope.team_ids is not None:
        calls = calls.filter(answered_by__team_id__in=scope.team_ids)
    within = Q(heard_until__lt=F("first_alert_at") + limit)
    grouped = (
        calls.filter(heard_until__isnull=False)
        .annotate(month=TruncMonth("offered_at", tzinfo=RIGA))
        .values("month", "answered_by_id", "answered_by__team_id")
        .annotate(
            k=Count("id", filter=Q(answered_at__isnull=False) & within),
            b=Count("id", filter=~within),
        )
        .order_by()
    )
    return [
        {
            "m": month_key(r["month"]),
            "c": RING,
            "ch": "phone",
            "o": "",
            "p": "",
            "e": text_of(r["answered_by_id"]),
            "t": text_of(r["answered_by__team_id"]),
            "k": r["k"],
            "x": 0,
            "b": r["b"],
            "n": 0,
        }
        for r in grouped
        if r["k"] or r["b"]
    ]
