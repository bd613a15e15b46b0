"""What django-axes counts failed attempts by: the user name together with the client's address."""

from __future__ import annotations

import math
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_ip(request: HttpRequest) -> str:
    """The client's address. Behind ``CHARTERDESK_PROXY_COUNT`` reverse proxies it is that many
    places from the right of X-Forwarded-For (the part our own proxies wrote, not the client)."""
    proxies = settings.CHARTERDESK_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def lockout_response(
    request: HttpRequest, original_response: object = None, credentials: object = None
) -> HttpResponse:
    """The page shown instead of the sign-in (desk and admin) while locked out: HTTP 429."""
    from axes.helpers import get_cool_off, get_failure_limit

    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else 0
    context = {"failure_limit": get_failure_limit(request, credentials), "minutes": minutes}
    return render(request, "signin/locked_out.html", context, status=429)


class LockoutBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """django-axes' check before the password backends. Every sign-in over the web (the desk, the
    admin, single sign-on) comes with its request; a check of a password without one (a test
    client's ``login``, a management command) has no address to count and passes through."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)  # type: ignore[no-any-return]
