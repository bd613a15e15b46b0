"""Signed, single-use, expiring survey links.

The token is ``django.core.signing`` over the invitation's id and a random nonce, salted for
surveys: a changed character is a forged link; an old signature is an expired link (the
policy's ``[surveys] link_valid_days``); the invitation's ``answered_at`` makes it single-use.
"""

from __future__ import annotations

from django.core import signing

SALT = "charterdesk.feedback.survey"


class LinkError(Exception):
    """A survey link refused: ``reason`` is forged, expired, used or own."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def make_token(invitation_id: int, nonce: str) -> str:
    return signing.dumps({"i": invitation_id, "n": nonce}, salt=SALT, compress=True)


def read_token(token: str, *, max_age_days: int) -> tuple[int, str]:
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age_days * 86400)
    except signing.SignatureExpired:
        raise LinkError("expired") from None
    except signing.BadSignature:
        raise LinkError("forged") from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("i"), int)
        or not isinstance(data.get("n"), str)
    ):
        raise LinkError("forged")
    return data["i"], data["n"]
