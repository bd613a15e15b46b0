"""Middleware of the sign-in: downloads sandboxed, the idle time-out, the second factor."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import ngettext

from charterdesk.signin.totp import confirmed_device, is_administrator

Handler = Callable[[HttpRequest], HttpResponseBase]

# A file served for download runs nothing, even if it is HTML or SVG that a browser would render.
SANDBOX_POLICY = "sandbox; default-src 'none'"

LAST_SEEN = "signin_last_seen"
PASSWORD_ONLY = "signin_password_only"  # nosec B105 -- a session key name, not a password
# Pages a signed-in person still reaches before the second factor (and the sign-out).
OPEN_BEFORE_SECOND_FACTOR = {
    "login",
    "logout",
    "set_language",
    "signin_totp",
    "signin_totp_enrol",
    "javascript-catalog",
}


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that htmx follows as a whole page (not swapped into a part of one)."""
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def _with_next(url: str, request: HttpRequest) -> str:
    if request.method == "GET" and request.headers.get("HX-Request") != "true":
        return f"{url}?{urlencode({'next': request.get_full_path()})}"
    return url


class DownloadSandboxMiddleware:
    """``Content-Security-Policy: sandbox`` on every download (a response with
    Content-Disposition, such as an attachment); django-csp leaves a header already set alone."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.has_header("Content-Disposition"):
            response["Content-Security-Policy"] = SANDBOX_POLICY
        return response


class IdleTimeoutMiddleware:
    """Signs out a session idle for longer than ``CHARTERDESK_IDLE_TIMEOUT`` seconds and returns
    to the sign-in page with a message saying so (0 turns the time-out off)."""

    # The time of the last request is written at most this often (not a session write per request).
    RESOLUTION = 30

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        timeout = int(settings.CHARTERDESK_IDLE_TIMEOUT)
        if timeout and request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            if isinstance(last, int) and now - last > timeout:
                logout(request)
                minutes = max(1, timeout // 60)
                messages.info(
                    request,
                    ngettext(
                        "You were signed out after %(minutes)d minute without activity. "
                        "Sign in again to go on.",
                        "You were signed out after %(minutes)d minutes without activity. "
                        "Sign in again to go on.",
                        minutes,
                    )
                    % {"minutes": minutes},
                )
                return _redirect(request, _with_next(reverse("login"), request))
            if not isinstance(last, int) or now - last >= self.RESOLUTION:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """After the password, nothing but the code step until the second factor is given: for
    everyone who has enrolled an authenticator, and for administrators, who must enrol one."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[union-attr,attr-defined]
            and not (request.session.get(PASSWORD_ONLY) and not is_administrator(user))
            and not self._open(request)
        ):
            if confirmed_device(user) is not None:
                return _redirect(request, _with_next(reverse("signin_totp"), request))
            if is_administrator(user):
                return _redirect(request, _with_next(reverse("signin_totp_enrol"), request))
            # Signed in with the password alone, rightly: not asked again in this session (one
            # query less per request). Enrolling verifies the session; sign-out clears the mark.
            request.session[PASSWORD_ONLY] = True
        return self.get_response(request)

    @staticmethod
    def _open(request: HttpRequest) -> bool:
        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return True  # a 404 shows nothing
        return match.url_name in OPEN_BEFORE_SECOND_FACTOR
