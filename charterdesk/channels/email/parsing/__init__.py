"""The pure e-mail parser (no Django): :func:`parse_message` turns raw bytes into :class:`ParsedEmail`."""

from charterdesk.channels.email.parsing.message import guess_language, parse_message
from charterdesk.channels.email.parsing.model import (
    Address,
    DeliveryReport,
    ParsedAttachment,
    ParsedEmail,
    ParseError,
)

__all__ = [
    "Address",
    "DeliveryReport",
    "ParseError",
    "ParsedAttachment",
    "ParsedEmail",
    "guess_language",
    "parse_message",
]
