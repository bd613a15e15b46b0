"""Settings of e-mail intake, each with a default; a deployment overrides them in its settings.

==========================================  ======================================================
``CHARTERDESK_EMAIL_MAX_BYTES``             larger messages go to quarantine (default 25 MB)
``CHARTERDESK_EMAIL_FORBIDDEN_EXTENSIONS``  attachment name endings that quarantine the message
``CHARTERDESK_EMAIL_FORBIDDEN_TYPES``       attachment content types that quarantine the message
``CHARTERDESK_EMAIL_RATE_LIMIT``            ``(messages, seconds)`` per sender; more is quarantined
``CHARTERDESK_EMAIL_FALLBACK_CHARSETS``     tried in order for text with a missing/wrong charset
``CHARTERDESK_EMAIL_BATCH_SIZE``            messages per processing transaction
``CHARTERDESK_EMAIL_PARSE_WORKERS``         processes that parse in parallel (0: in the process)
``CHARTERDESK_EMAIL_PARSE_SECONDS``         a message not parsed in this time is "too complex"
``CHARTERDESK_EMAIL_OWN_ADDRESSES``         our own addresses besides programmes' and the sender's
``CHARTERDESK_EMAIL_AUTHSERV_IDS``          our receiving hosts whose Authentication-Results count
``CHARTERDESK_EMAIL_DOMAIN_RATE_LIMIT``     ``(messages, seconds)`` per sending domain
``CHARTERDESK_EMAIL_DOMAIN_RATE_EXEMPT``    domains without that limit (public mail services)
``CHARTERDESK_EMAIL_INTAKE``                the mailboxes and receivers (see :func:`mailboxes`)
==========================================  ======================================================
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings

MAX_BYTES = 25 * 1024 * 1024
FORBIDDEN_EXTENSIONS = (
    ".exe",
    ".scr",
    ".bat",
    ".cmd",
    ".com",
    ".pif",
    ".cpl",
    ".msi",
    ".msp",
    ".msc",
    ".js",
    ".jse",
    ".vbs",
    ".vbe",
    ".wsf",
    ".wsh",
    ".hta",
    ".jar",
    ".ps1",
    ".psm1",
    ".lnk",
    ".reg",
    ".scf",
    ".inf",
    ".dll",
    ".iso",
    ".img",
    ".vhd",
    ".vhdx",
    ".appx",
    ".application",
)
FORBIDDEN_TYPES = (
    "application/x-msdownload",
    "application/x-msdos-program",
    "application/x-dosexec",
    "application/x-ms-installer",
    "application/x-msi",
    "application/hta",
    "application/x-ms-shortcut",
    "application/java-archive",
    "application/x-iso9660-image",
)
RATE_LIMIT = (30, 3600)
# Per sending domain: a flood from many addresses of one domain (made up, or a compromised
# server).  Public mail services, where each address is a different person, are exempt.
DOMAIN_RATE_LIMIT = (200, 3600)
DOMAIN_RATE_EXEMPT = (
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "yahoo.com",
    "icloud.com",
    "me.com",
    "proton.me",
    "protonmail.com",
    "inbox.lv",
    "apollo.lv",
    "one.lv",
    "tvnet.lv",
    "mail.ru",
    "yandex.ru",
    "gmx.net",
    "gmx.de",
    "web.de",
)
FALLBACK_CHARSETS = ("utf-8", "windows-1257", "windows-1252")
BATCH_SIZE = 500
PARSE_WORKERS = 0
# The parser's time per message.  The hostile messages of ``bench/email_hostile.py`` take well
# under a second and a 25 MB message a few; past this it is quarantined as too complex.
PARSE_SECONDS = 20.0
# Watching a mailbox: waits between reconnection attempts grow from the first to the last value.
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 60.0


def get(name: str, default: Any) -> Any:
    return getattr(settings, f"CHARTERDESK_EMAIL_{name}", default)


def max_bytes() -> int:
    return int(get("MAX_BYTES", MAX_BYTES))


def forbidden_extensions() -> tuple[str, ...]:
    return tuple(e.lower() for e in get("FORBIDDEN_EXTENSIONS", FORBIDDEN_EXTENSIONS))


def forbidden_types() -> tuple[str, ...]:
    return tuple(t.lower() for t in get("FORBIDDEN_TYPES", FORBIDDEN_TYPES))


def rate_limit() -> tuple[int, int]:
    count, seconds = get("RATE_LIMIT", RATE_LIMIT)
    return int(count), int(seconds)


def domain_rate_limit() -> tuple[int, int]:
    count, seconds = get("DOMAIN_RATE_LIMIT", DOMAIN_RATE_LIMIT)
    return int(count), int(seconds)


def domain_rate_exempt() -> frozenset[str]:
    return frozenset(d.lower() for d in get("DOMAIN_RATE_EXEMPT", DOMAIN_RATE_EXEMPT))


def authserv_ids() -> tuple[str, ...]:
    """The authserv-ids of our own receiving hosts (RFC 8601), e.g. ``("mx.altum.lv",)``.  Empty
    (the default): no Authentication-Results header is believed, since anybody can write one."""
    return tuple(str(a).strip().lower() for a in get("AUTHSERV_IDS", ()) if str(a).strip())


def fallback_charsets() -> tuple[str, ...]:
    return tuple(get("FALLBACK_CHARSETS", FALLBACK_CHARSETS))


def batch_size() -> int:
    return max(1, int(get("BATCH_SIZE", BATCH_SIZE)))


def parse_workers() -> int:
    return max(0, int(get("PARSE_WORKERS", PARSE_WORKERS)))


def parse_seconds() -> float:
    return max(0.1, float(get("PARSE_SECONDS", PARSE_SECONDS)))


def own_addresses() -> set[str]:
    extra = {a.lower() for a in get("OWN_ADDRESSES", ())}
    default_from = getattr(settings, "DEFAULT_FROM_EMAIL", "")
    if default_from:
        from email.utils import parseaddr

        extra.add(parseaddr(default_from)[1].lower())
    return {a for a in extra if a}


def backoff() -> tuple[float, float]:
    first = float(
        os.environ.get("CHARTERDESK_EMAIL_BACKOFF_FIRST", get("BACKOFF_FIRST", BACKOFF_FIRST))
    )
    last = float(os.environ.get("CHARTERDESK_EMAIL_BACKOFF_MAX", get("BACKOFF_MAX", BACKOFF_MAX)))
    return first, max(first, last)


_MAILBOX_DEFAULTS: dict[str, Any] = {
    "BACKEND": "charterdesk.channels.email.transports.imap.ImapMailbox",
    "HOST": "127.0.0.1",
    "PORT": 993,
    "SECURITY": "ssl",  # ssl | starttls | none
    "USER": "",
    # An empty default; the password comes from the environment.
    "PASSWORD": "",  # nosec B105
    "FOLDERS": ["INBOX"],
    "PROGRAMME": "",  # code of the programme whose mailbox this is (when To: does not tell)
    "IDLE": True,
    "POLL_SECONDS": 60,
    "FETCH_BATCH": 200,
}


def mailboxes() -> dict[str, dict[str, Any]]:
    """``CHARTERDESK_EMAIL_INTAKE``: named mailboxes like ``DATABASES``, each with ``BACKEND``.

    Without the setting, one IMAP mailbox named ``default`` is read from the environment
    (``CHARTERDESK_IMAP_HOST``, ``_PORT``, ``_SECURITY``, ``_USER``, ``_PASSWORD``, ``_FOLDERS``
    comma-separated) when ``CHARTERDESK_IMAP_HOST`` is set."""
    configured = getattr(settings, "CHARTERDESK_EMAIL_INTAKE", None)
    if configured is None:
        env = os.environ
        if not env.get("CHARTERDESK_IMAP_HOST"):
            return {}
        configured = {
            "default": {
                "HOST": env["CHARTERDESK_IMAP_HOST"],
                "PORT": int(env.get("CHARTERDESK_IMAP_PORT", "993")),
                "SECURITY": env.get("CHARTERDESK_IMAP_SECURITY", "ssl"),
                "USER": env.get("CHARTERDESK_IMAP_USER", ""),
                "PASSWORD": env.get("CHARTERDESK_IMAP_PASSWORD", ""),
                "FOLDERS": [
                    f for f in env.get("CHARTERDESK_IMAP_FOLDERS", "INBOX").split(",") if f
                ],
            }
        }
    return {name: {**_MAILBOX_DEFAULTS, **(options or {})} for name, options in configured.items()}
