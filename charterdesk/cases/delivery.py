"""How an answer reaches the client: the one rule every outgoing message goes through.

An outbound message is delivered one way, decided before it is written and stored on the message
(``Message.meta["delivery"]``, and the message's channel follows it):

- ``email``: the outbox writes the mail in the same transaction (the client needs an address);
- ``letter``: a letter on paper; the post channel keeps it printable, with the date it was sent;
- ``phone`` / ``in_person``: the employee *told* the client, and records what was said.

Nothing else: a reply on a phone case is not "sent"; it is recorded as told by phone unless the
employee chose e-mail or a letter.  The desk, the API and every command ask this module which ways
are open for a case and say what happened from the message afterwards (``delivery_of``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charterdesk.cases.errors import CaseError
from charterdesk.cases.models import Case, Channel, Message


class Delivery(models.TextChoices):
    EMAIL = "email", gettext_lazy("by e-mail")
    LETTER = "letter", gettext_lazy("by letter (post)")
    PHONE = "phone", gettext_lazy("told by phone")
    IN_PERSON = "in_person", gettext_lazy("told in person")


CHANNEL_OF: dict[Delivery, Channel] = {
    Delivery.EMAIL: Channel.EMAIL,
    Delivery.LETTER: Channel.POST,
    Delivery.PHONE: Channel.PHONE,
    Delivery.IN_PERSON: Channel.IN_PERSON,
}

# The way an answer goes when nobody chose one: the way the client came.
_BY_CHANNEL: dict[str, Delivery] = {
    Channel.EMAIL: Delivery.EMAIL,
    Channel.PORTAL: Delivery.EMAIL,
    Channel.POST: Delivery.LETTER,
    Channel.PHONE: Delivery.PHONE,
    Channel.IN_PERSON: Delivery.IN_PERSON,
}


def delivery_options(case: Case) -> list[Delivery]:
    """The ways an answer on ``case`` can reach its client, in the order they are offered: the
    case's own channel first, then e-mail, letter, phone, in person.  E-mail needs the client's
    address, a letter a postal address, a phone call a number; telling in person is always open."""
    client = case.client
    possible = []
    if (client.email or "").strip():
        possible.append(Delivery.EMAIL)
    if (client.postal_address or "").strip():
        possible.append(Delivery.LETTER)
    if (client.phone or "").strip():
        possible.append(Delivery.PHONE)
    possible.append(Delivery.IN_PERSON)
    own = _BY_CHANNEL.get(case.channel)
    if own in possible:
        possible.remove(own)
        possible.insert(0, own)
    return possible


def default_delivery(case: Case) -> Delivery:
    """The way the client came, if it is open; otherwise the first open way."""
    return delivery_options(case)[0]


def check_delivery(case: Case, delivery: str | None) -> Delivery:
    """``delivery`` as a :class:`Delivery` open for ``case`` (``None``: the way the client came).

    Raises :class:`CaseError` saying what is missing (e.g. no e-mail address) instead of writing
    a message that could not reach the client."""
    if delivery is None or delivery == "":
        # Nobody chose: the way the client came (an e-mail case without an address is then
        # refused by the outbox, naming the missing address).
        return _BY_CHANNEL.get(case.channel, Delivery.EMAIL)
    else:
        try:
            chosen = Delivery(delivery)
        except ValueError:
            raise CaseError(
                _("Unknown way to reach the client: %(value)s.") % {"value": delivery}
            ) from None
    if chosen in delivery_options(case):
        return chosen
    missing = {
        Delivery.EMAIL: _("the client has no e-mail address"),
        Delivery.LETTER: _("the client has no postal address"),
        Delivery.PHONE: _("the client has no phone number"),
    }.get(chosen, "")
    raise CaseError(
        _(
            "Case %(ref)s: the answer cannot go %(way)s: %(missing)s. Add it to the client's "
            "details or choose another way."
        )
        % {"ref": case.reference, "way": chosen.label, "missing": missing}
    )


def delivery_for_channel(channel: str) -> Delivery:
    return _BY_CHANNEL.get(channel, Delivery.EMAIL)


def delivery_of(message: Message) -> Delivery | None:
    """How an outbound ``message`` went (``None`` for a client's message or a note).  Messages
    written before deliveries were recorded went the way of their channel."""
    if message.direction != "out":
        return None
    stored = (message.meta or {}).get("delivery")
    if stored:
        try:
            return Delivery(stored)
        except ValueError:
            pass
    return delivery_for_channel(message.channel)
