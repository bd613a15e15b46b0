"""Fixtures of the e-mail intake tests: a real Dovecot (session-scoped) and message builders."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.utils import translation

from tests.email.dovecot import DOVECOT, Dovecot


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[Dovecot]:
    """One Dovecot for the session; tests use their own folders.  ``stop()``/``start()`` are
    there for the outage test (which leaves it running again)."""
    if not os.path.exists(DOVECOT):
        pytest.skip(f"{DOVECOT} is missing: install Debian's dovecot-imapd (scripts/test does)")
    server = Dovecot()
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def dovecot(dovecot_server: Dovecot) -> Dovecot:
    dovecot_server.start()  # in case a test stopped it and failed before starting it again
    return dovecot_server


@pytest.fixture(autouse=True)
def _english_messages():
    """Refusals are asserted in English; ``test_refusals_are_latvian_first`` checks Latvian."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _email_settings(settings):
    settings.CHARTERDESK_EMAIL_INTAKE = {}
    settings.CHARTERDESK_EMAIL_PARSE_WORKERS = 0
    # Many tests send from one domain; tests/email/test_domain_limit.py sets its own limit.
    settings.CHARTERDESK_EMAIL_DOMAIN_RATE_LIMIT = (0, 3600)
