"""Shared fixtures.  Tests run on SQLite by default and on PostgreSQL with DATABASE_URL set
(``scripts/test`` runs both)."""

from __future__ import annotations

import pytest

from tests.factories import (  # noqa: F401  (fixtures re-exported)
    make_client,
    make_employee,
    make_institution,
    make_programme,
)


@pytest.fixture(autouse=True)
def _fresh_calendars():
    # Calendars are cached per process; a test that changes schedules must not see an earlier
    # test's calendar.
    from charterdesk.calendar.registry import clear_cache

    clear_cache()
    yield
    clear_cache()


@pytest.fixture(autouse=True)
def _default_language():
    # Django's LocaleMiddleware activates a request's language in the thread and leaves it there
    # (a server re-activates it per request); a test whose request was in English must not make
    # the next test's code, run outside a request, speak English.
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _force_login_includes_second_factor(monkeypatch):
    # force_login skips authentication altogether, so it skips the second factor too: an
    # administrator signed in by force_login counts as having given a TOTP code. The sign-in
    # tests (tests/signin/) go through the real password and code steps instead.
    from django.test.client import ClientMixin

    original = ClientMixin.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if user.is_staff or user.is_superuser:
            from django_otp import DEVICE_ID_SESSION_KEY
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(ClientMixin, "force_login", force_login)
