"""The rate limit per sending domain (beside the one per address in ``deliver.BatchContext``).

More than ``CHARTERDESK_EMAIL_DOMAIN_RATE_LIMIT`` messages (default 200 per 3,600 s, by arrival
time) from addresses of one domain go to quarantine ``rate_limited``: a flood from made-up
addresses of one domain passes a limit per address.  Public mail services
(``CHARTERDESK_EMAIL_DOMAIN_RATE_EXEMPT``: gmail.com, inbox.lv …), where every address is a
different person, are not limited by domain.  Counted like the address limit: the messages of
the window already processed or quarantined (``InboundEmail.sender_domain``, indexed with the
arrival time) plus those of the batch so far."""

from __future__ import annotations

import bisect
from collections import defaultdict
from datetime import datetime, timedelta

from charterdesk.channels.email import conf


def domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip().lower() if "@" in address else ""


class DomainLimit:
    """The domains' recent messages: ``domains`` to load, then :meth:`load` with the rows of the
    window (the batch context reads them in the same query as the senders')."""

    def __init__(self, senders: set[str]) -> None:
        self.limit, self.window = conf.domain_rate_limit()
        self.exempt = conf.domain_rate_exempt()
        self.recent: dict[str, list[datetime]] = defaultdict(list)
        self.domains = (
            {domain_of(s) for s in senders} - self.exempt - {""} if self.limit > 0 else set()
        )

    def load(self, rows: list[tuple[str, datetime]], since: datetime) -> None:
        """``rows``: ``(sender_domain, received_at)`` in time order, from ``since`` minus any
        window on."""
        start = since - timedelta(seconds=self.window)
        for domain, at in rows:
            if domain in self.domains and at >= start:
                self.recent[domain].append(at)

    def over(self, sender: str, at: datetime) -> str:
        """The sender's domain if it is over its limit at ``at``, else ``""``."""
        domain = domain_of(sender)
        if self.limit <= 0 or not domain or domain in self.exempt:
            return ""
        times = self.recent[domain]
        since = at - timedelta(seconds=self.window)
        count = bisect.bisect_right(times, at) - bisect.bisect_right(times, since)
        return domain if count >= self.limit else ""

    def count(self, sender: str, at: datetime) -> None:
        domain = domain_of(sender)
        if domain and domain not in self.exempt:
            bisect.insort(self.recent[domain], at)
