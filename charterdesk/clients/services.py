"""Writes to clients go through here."""

from __future__ import annotations

from collections.abc import Sequence

from charterdesk.clients.models import Client, ClientKind
from charterdesk.core.bulk import copy_insert


def client_build(
    *,
    name: str,
    email: str = "",
    phone: str = "",
    kind: str = ClientKind.PERSON,
    language: str = "lv",
    preferred_channel: str = "",
    special_needs: str = "",
    registration_number: str = "",
    postal_address: str = "",
) -> Client:
    """A new client, validated but not saved (see :func:`client_create`)."""
    client = Client(
        name=name.strip() or (email or phone),
        email=email,
        phone=phone,
        kind=kind,
        language=language,
        preferred_channel=preferred_channel or ("email" if email else "phone"),
        special_needs=special_needs,
        registration_number=registration_number,
        postal_address=postal_address,
    )
    # With a phone or an e-mail given, [CLIENT-CONTACT] holds by construction (and the database
    # checks it again), so the constraint's extra query is only needed to word the refusal.
    client.full_clean(validate_constraints=not (client.email or client.phone))
    return client


def client_create(*, name: str, **fields: str) -> Client:
    """Create a client (the keyword arguments of :func:`client_build`).  [CLIENT-CONTACT]: a
    phone or e-mail is required, and both are validated; a bad value raises ``ValidationError``
    naming the field and the value."""
    client = client_build(name=name, **fields)
    client.save()  # one INSERT: atomic on its own, no savepoint needed
    return client


def clients_save_built(clients: Sequence[Client]) -> None:
    """Insert clients made by :func:`client_build` with one statement (a batch of e-mail intake);
    their primary keys are set."""
    copy_insert(clients, with_pks=True)


def client_get_or_create_by_email(*, email: str, name: str = "", language: str = "lv") -> Client:
    """The client with this address, or a new one (the e-mail and portal intake use this)."""
    from charterdesk.core.validators import normalise_email

    address = normalise_email(email)
    existing = Client.objects.filter(email__iexact=address).order_by("pk").first()
    if existing is not None:
        return existing
    return client_create(name=name, email=address, language=language)
