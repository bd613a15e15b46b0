"""What the receiving mail server found about the sender: SPF, DKIM and DMARC from its
``Authentication-Results`` header (RFC 8601).

**Only from our own receiving host.** The header is plain text that anybody can put into a
message, so a result is read only from a header whose authserv-id is one of
``CHARTERDESK_EMAIL_AUTHSERV_IDS`` (the host that received the mail for us, e.g. ``mx.altum.lv``),
and only the topmost such header: our server adds its header above everything the message
brought along.  That server must remove headers that arrive claiming its id (RFC 8601 5;
OpenDMARC, rspamd and Exchange do), otherwise a sender could forge a "pass".  Without the setting
no result is read and none is shown.

The verdict: DMARC's result when there is one (``pass`` / ``fail``); otherwise ``pass`` when DKIM
or SPF passed for the From address's domain (aligned), ``fail`` when one failed and none passed,
``none`` otherwise.  ``fail`` stops threading by subject (``linking``); only ``pass`` lets an
acknowledgement repeat the sender's subject (``outbox.services.compose.thread_subject``).
"""

from __future__ import annotations

import re
from typing import Any

from charterdesk.channels.email import conf
from charterdesk.channels.email.parsing import ParsedEmail

_COMMENT = re.compile(r"\([^()]*\)")
_RESULT = re.compile(r"^\s*([a-z0-9_-]+)\s*=\s*([a-z]+)", re.IGNORECASE)
_PROPERTY = re.compile(r"\b([a-z]+\.[a-z0-9_-]+)\s*=\s*(\"[^\"]*\"|[^\s;]+)", re.IGNORECASE)
PASS, FAIL, NONE = "pass", "fail", "none"


def _aligned(domain: str, sender_domain: str) -> bool:
    domain = domain.strip().strip('"').lower().rsplit("@", 1)[-1]
    if not domain or not sender_domain:
        return False
    return (
        domain == sender_domain
        or sender_domain.endswith("." + domain)
        or domain.endswith("." + sender_domain)
    )


def read_results(value: str) -> tuple[str, list[tuple[str, str, dict[str, str]]]]:
    """``(authserv-id, [(method, result, properties)])`` of one header value."""
    for _ in range(3):  # comments may nest; three levels are plenty
        value = _COMMENT.sub(" ", value)
    parts = value.split(";")
    authserv = parts[0].strip().split()[0].lower() if parts[0].strip() else ""
    results = []
    for part in parts[1:]:
        match = _RESULT.match(part)
        if not match:
            continue
        props = {k.lower(): v.strip('"') for k, v in _PROPERTY.findall(part[match.end() :])}
        results.append((match.group(1).lower(), match.group(2).lower(), props))
    return authserv, results


def sender_authentication(
    parsed: ParsedEmail, trusted: tuple[str, ...] | None = None
) -> dict[str, Any] | None:
    """The result for ``parsed``'s sender, or None (no trusted header)."""
    trusted = conf.authserv_ids() if trusted is None else trusted
    if not trusted:
        return None
    for value in parsed.authentication:
        authserv, results = read_results(value)
        if authserv in trusted:
            break
    else:
        return None
    sender_domain = parsed.sender.address.rsplit("@", 1)[-1].lower() if parsed.sender else ""
    found: dict[str, str] = {}
    aligned_pass = failed = False
    for method, result, props in results:
        if method not in ("spf", "dkim", "dmarc"):
            continue
        if method == "dkim" and found.get("dkim") == PASS:
            pass  # one passing signature is enough to show
        else:
            found[method] = result
        if result == PASS and method in ("spf", "dkim"):
            domain = props.get("header.d") or props.get("header.i") or props.get("smtp.mailfrom")
            aligned_pass = aligned_pass or _aligned(domain or "", sender_domain)
        if result in ("fail", "permerror") and method in ("spf", "dkim"):
            failed = True
    if "dmarc" in found:
        verdict = {PASS: PASS, "fail": FAIL}.get(found["dmarc"], NONE)
    elif aligned_pass:
        verdict = PASS
    elif failed:
        verdict = FAIL
    else:
        verdict = NONE
    return {"by": authserv, **found, "verdict": verdict}
