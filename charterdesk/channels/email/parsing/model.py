"""What the parser hands to the intake service: plain dataclasses, no Django."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class ParseError(ValueError):
    """The bytes are not an e-mail message the intake can work with; the text says why."""


@dataclass(slots=True)
class TooComplex:
    """A message the parser did not finish within ``seconds`` (``crashed``: the parser process
    ended while reading it).  Goes to quarantine as ``too_complex``; the rest goes on."""

    seconds: float
    crashed: bool = False


@dataclass(slots=True)
class Address:
    name: str
    address: str

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>" if self.name else self.address


@dataclass(slots=True)
class ParsedAttachment:
    filename: str
    content_type: str
    content: bytes
    inline: bool = False
    content_id: str = ""
    # "part": a MIME part; "tnef": a file found inside winmail.dat.
    origin: str = "part"


@dataclass(slots=True)
class DeliveryReport:
    """A bounce or delay notice (RFC 3464 DSN, or a non-standard one we could still read)."""

    original_message_id: str
    action: str  # failed | delayed | delivered | relayed | expanded | "" (unknown)
    status: str  # e.g. 5.1.1
    recipients: list[str] = field(default_factory=list)
    diagnostic: str = ""

    @property
    def failed(self) -> bool:
        return self.action in ("failed", "") and not self.status.startswith(("2", "4"))


@dataclass(slots=True)
class ParsedEmail:
    message_id: str
    in_reply_to: str
    references: list[str]
    subject: str
    sender: Address | None
    reply_to: list[Address]
    to: list[Address]
    cc: list[Address]
    delivered_to: list[str]
    date: datetime | None
    text: str  # what the client wrote now
    quoted: str  # the quoted history separated from it
    html: str  # sanitised with nh3
    attachments: list[ParsedAttachment]
    # Why the message is automatic (RFC 3834, Precedence, a DSN, a null sender), or "".
    auto_submitted: str
    report: DeliveryReport | None
    repairs: list[str]  # charset repairs made, in the order met
    defects: list[str]  # what the standard parser found wrong with the structure
    language: str
    security: str  # "", "pgp-signed", "pgp-encrypted", "smime-signed", "smime-encrypted"
    size: int
    # The Authentication-Results header values, topmost first (judged by the intake, which knows
    # which receiving host to trust: ``intake/authentication.py``).
    authentication: list[str] = field(default_factory=list)
    # Files inside forwarded messages and archives (path, content type), and what could not be
    # looked into (``parsing/contents.py``).
    inner_files: list[tuple[str, str]] = field(default_factory=list)
    inner_problems: list[str] = field(default_factory=list)

    @property
    def recipients(self) -> list[Address]:
        return [*self.to, *self.cc]
