"""Errors of the outbox; each says what was refused, on which case, and what to do about it.

They subclass the case services' ``RuleViolation`` because the outbox refuses inside a case
service's transaction (the listener), and the desk already shows ``CaseError`` messages to the
employee."""

from __future__ import annotations

from charterdesk.cases.errors import RuleViolation


class OutboxRefused(RuleViolation):
    """The outbox will not write this message; the whole case change is rolled back."""


class IdentityMissing(OutboxRefused):
    """[EMAIL-IDENTITY] the identity block cannot be made, so the message may not be sent."""


class NoRecipient(OutboxRefused):
    """The client has no e-mail address to send the message to."""


class TemplateMissing(OutboxRefused):
    """No active template of the needed kind and language exists."""
