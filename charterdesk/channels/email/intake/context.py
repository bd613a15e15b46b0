"""What intake decides with: an ``Outcome`` per message, and the ``BatchContext`` a batch of
messages looks up once (``rules`` applies the rules with them)."""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import CharField, Q
from django.db.models.functions import Upper

from charterdesk.cases import message_ids
from charterdesk.cases.models import Direction, Message
from charterdesk.channels.email import conf
from charterdesk.channels.email.intake.batching import Pending
from charterdesk.channels.email.intake.details import detail
from charterdesk.channels.email.intake.limits import DomainLimit
from charterdesk.channels.email.intake.linking import header_rows, wanted_ids
from charterdesk.channels.email.models import InboundEmail, InboundState, QuarantineReason
from charterdesk.channels.email.parsing import Address, ParsedEmail
from charterdesk.clients.models import Client
from charterdesk.clients.services import client_build, clients_save_built
from charterdesk.core.validators import normalise_email
from charterdesk.directory.models import Institution, Programme


@dataclass(slots=True)
class Outcome:
    state: str
    reason: str = ""
    error: str = ""
    case_id: int | None = None
    message_pk: int | None = None
    info: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def quarantine(
        cls, reason: QuarantineReason, template: str, params: dict[str, Any], **info: Any
    ) -> Outcome:
        """To quarantine, with the detail ``template % params`` (see ``details``)."""
        error, stored = detail(template, **params)
        return cls(InboundState.QUARANTINED, reason.value, error, info={**info, "detail": stored})


class BatchContext:
    """What one batch looks up once: programme addresses, our own addresses, clients met, the
    Message-IDs already taken in, and each sender's recent messages (for the rate limit)."""

    def __init__(self, parsed: list[ParsedEmail], since: datetime) -> None:
        # Client messages are queued and written together (``batching``), one or five hundred.
        self.pending = Pending()
        self.programmes: dict[str, Programme] = {}
        self.programme_codes: dict[str, Programme] = {}
        for programme in Programme.objects.filter(is_active=True):
            self.programme_codes[programme.code] = programme
            if programme.public_email:
                self.programmes[programme.public_email.lower()] = programme
        self.own = conf.own_addresses() | set(self.programmes)
        self.own |= {e.lower() for e in Institution.objects.values_list("general_email", flat=True)}
        self.clients: dict[str, Client] = {}
        self.new_clients: list[Client] = []  # built, saved by ``flush``
        addresses = {a.address for p in parsed for a in (p.sender, *p.reply_to) if a}
        if addresses:
            # One query over the index on UPPER(email) for the clients already known, matched
            # as ``client_get_or_create_by_email`` matches them (case-insensitively, lowest id).
            uppers = {a.strip().upper() for a in addresses}
            # (A plain CharField output: the e-mail field would normalise the values compared.)
            upper = Upper("email", output_field=CharField())
            known = Client.objects.annotate(email_upper=upper).filter(email_upper__in=uppers)
            for client in known.order_by("-pk"):
                self.clients[client.email.lower()] = client
        # The messages this batch's messages answer (one query for all of them); what the batch
        # writes is added as it goes (``wrote``), so a lookup sees what a query would see.
        answered = sorted({w for p in parsed for w in wanted_ids(p)})
        self.headers: dict[str, int] = header_rows(answered) if answered else {}
        ids = [p.message_id for p in parsed if p.message_id]
        self.taken: dict[str, tuple[int, int]] = {}
        if ids:
            for mid, case_id, pk in Message.objects.filter(
                message_id__in=message_ids.variants(ids),
                direction__in=(Direction.INBOUND, Direction.INTERNAL),
            ).values_list("message_id", "case_id", "pk"):
                self.taken[message_ids.bare(mid)] = (case_id, pk)
        self.limit, self.window = conf.rate_limit()
        self.recent: dict[str, list[datetime]] = defaultdict(list)
        senders = {p.sender.address.lower() for p in parsed if p.sender}
        self.domains = DomainLimit(senders)
        by_sender = senders if self.limit > 0 else set()
        if by_sender or self.domains.domains:
            # One query for both limits (per address, per domain: ``limits``).
            window = max(self.window if by_sender else 0, self.domains.window)
            rows = (
                InboundEmail.objects.filter(
                    Q(sender__in=by_sender) | Q(sender_domain__in=self.domains.domains),
                    state__in=(InboundState.PROCESSED, InboundState.QUARANTINED),
                    received_at__gte=since - timedelta(seconds=window),
                )
                .order_by("received_at")
                .values_list("sender", "sender_domain", "received_at")
            )
            start = since - timedelta(seconds=self.window)
            domain_rows = []
            for sender, domain, at in rows:
                if sender in by_sender and at >= start:
                    self.recent[sender].append(at)
                domain_rows.append((domain, at))
            self.domains.load(domain_rows, since)

    def wrote(self, bare: str, case_id: int, message_pk: int) -> None:
        """A message with Message-ID ``<bare>`` was written on ``case_id`` in this batch."""
        if bare:
            self.taken[bare] = (case_id, message_pk)
            self.headers[f"<{bare}>"] = case_id

    def header_rows(self, wanted: list[str]) -> dict[str, int]:
        """``linking.header_rows`` for this batch's messages, without a query."""
        return self.headers

    def flush(self) -> None:
        """Save the new clients, then write the queued messages (see ``batching``)."""
        if self.new_clients:
            clients_save_built(self.new_clients)
            self.new_clients = []
        for bare, (case_id, message_pk) in self.pending.flush().items():
            self.wrote(bare, case_id, message_pk)

    def over_limit(self, sender: str, at: datetime) -> bool:
        times = self.recent[sender]
        if self.limit <= 0:
            return False
        since = at - timedelta(seconds=self.window)
        count = bisect.bisect_right(times, at) - bisect.bisect_right(times, since)
        return count >= self.limit

    def count(self, sender: str, at: datetime) -> None:
        bisect.insort(self.recent[sender], at)
        self.domains.count(sender, at)

    def client_for(self, address: Address, language: str) -> Client:
        key = address.address.strip().lower()
        client = self.clients.get(key)
        if client is None:  # not known (the query above): a new one, saved with the batch
            email = normalise_email(address.address)
            client = client_build(name=address.name, email=email, language=language)
            self.new_clients.append(client)
            self.clients[key] = client
        return client
