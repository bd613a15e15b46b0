"""Signed call events: HMAC-SHA256 over ``"<timestamp>." + body`` with the exchange's secret.

The header (one, so that an exchange whose HTTP client sends a single custom header can sign)::

    X-Phone-Signature: exchange=riga-pbx, t=1764620000, v1=<HMAC>

``v1`` is the HMAC in hex (64 characters) or in URL-safe base64 (43, padding optional: what
Kamailio's ``crypto_hmac_sha256`` produces).  ``t`` is Unix seconds; a request whose ``t`` is
further than the replay window from the desk's clock is refused, and within the window a replayed
request changes nothing (events are idempotent by call, event and leg).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

HEADER = "X-Phone-Signature"


class SignatureError(ValueError):
    pass


def sign(secret: str, timestamp: int, body: bytes, *, encoding: str = "hex") -> str:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    if encoding == "base64url":
        return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")
    return digest.hexdigest()


def header_value(exchange: str, secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    return f"exchange={exchange}, t={t}, v1={sign(secret, t, body)}"


def parse_header(value: str) -> tuple[str, int, str]:
    """``(exchange, timestamp, signature)`` or :class:`SignatureError` saying what is missing."""
    if not value:
        raise SignatureError(f"the {HEADER} header is missing")
    parts: dict[str, str] = {}
    for item in value.split(","):
        key, sep, val = item.strip().partition("=")
        if sep:
            parts[key.strip()] = val.strip()
    missing = [k for k in ("exchange", "t", "v1") if not parts.get(k)]
    if missing:
        raise SignatureError(f"the {HEADER} header lacks {', '.join(missing)}")
    if not parts["t"].isdigit():
        raise SignatureError(f"the {HEADER} timestamp t={parts['t']!r} is not Unix seconds")
    return parts["exchange"], int(parts["t"]), parts["v1"]


def verify(secret: str, timestamp: int, body: bytes, signature: str) -> bool:
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    if len(signature) == 64:
        return hmac.compare_digest(mac.hexdigest(), signature.lower())
    expected = base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")
    return hmac.compare_digest(expected, signature.rstrip("="))
