"""OpenID Connect single sign-on (mozilla-django-oidc): the identity provider's e-mail claim names
an active employee; nobody is created from the provider's word alone."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from mozilla_django_oidc.auth import OIDCAuthenticationBackend


class EmployeeOIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    def verify_claims(self, claims: dict[str, Any]) -> bool:
        email = claims.get(settings.CHARTERDESK_OIDC_EMAIL_CLAIM)
        # A provider that says the address is not verified is not taken at its word.
        return bool(email) and claims.get("email_verified", True) is not False

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[Any]:
        email = str(claims.get(settings.CHARTERDESK_OIDC_EMAIL_CLAIM) or "").strip()
        users = get_user_model().objects.filter(is_active=True, employee__is_active=True)
        if not email:
            return users.none()
        return users.filter(employee__email__iexact=email)

    def create_user(self, claims: dict[str, Any]) -> None:
        # An account at the identity provider is not a desk employee: the administrator creates
        # the employee (with that e-mail address) first.
        return None

    def update_user(self, user: Any, claims: dict[str, Any]) -> Any:
        return user
