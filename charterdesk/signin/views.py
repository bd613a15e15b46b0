"""The second factor's pages: the code step after the password, and enrolling an authenticator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.models import VerifyNotAllowed

from charterdesk.signin.forms import CodeForm
from charterdesk.signin.totp import (
    confirmed_device,
    device_confirm,
    is_administrator,
    pending_device,
    qr_svg,
    secret_text,
)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    user = request.user
    if is_administrator(user) and not hasattr(user, "employee"):
        return reverse("admin:index")
    return reverse("inbox")


def _throttle_message(device: object) -> str | None:
    allowed, data = device.verify_is_allowed()  # type: ignore[attr-defined]
    if allowed:
        return None
    if data and data.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
        from django.utils import timezone

        seconds = max(1, int((data["locked_until"] - timezone.now()).total_seconds()) + 1)
        return ngettext(
            "Too many wrong codes. Try again in %(seconds)d second.",
            "Too many wrong codes. Try again in %(seconds)d seconds.",
            seconds,
        ) % {"seconds": seconds}
    return _("This code cannot be checked now. Try again later.")


@never_cache
@login_required
def totp_verify(request: HttpRequest) -> HttpResponse:
    """The code step: after the password, before anything else."""
    device = confirmed_device(request.user)
    if device is None:
        return HttpResponseRedirect(reverse("signin_totp_enrol"))
    if request.user.is_verified():  # type: ignore[union-attr,attr-defined]
        return HttpResponseRedirect(_next_url(request))
    form = CodeForm(request.POST or None)
    error = None
    status = 200
    if request.method == "POST" and form.is_valid():
        error = _throttle_message(device)
        if error is None:
            if device.verify_token(form.cleaned_data["code"]):
                otp_login(request, device)
                request.session.cycle_key()
                return HttpResponseRedirect(_next_url(request))
            error = _throttle_message(device) or _(
                "The code is wrong or has expired. Enter the code the app shows now."
            )
        status = 400
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "signin/totp_verify.html",
        {
            "form": form,
            "error": error,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
        status=status,
    )


@never_cache
def totp_enrol(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: a QR code and the same secret as text, then one code to
    confirm. Someone who already has one must give its code first (a stolen password alone
    cannot enrol a new authenticator)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    existing = confirmed_device(request.user)
    verified = request.user.is_verified()  # type: ignore[union-attr,attr-defined]
    if existing is not None and not verified:
        return HttpResponseRedirect(
            reverse("signin_totp") + "?next=" + reverse("signin_totp_enrol")
        )
    if existing is not None and request.method == "GET" and "again" not in request.GET:
        return render(request, "signin/totp_enrolled.html", {"device": existing})
    device = pending_device(request.user)
    form = CodeForm(request.POST or None)
    error = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            error = _throttle_message(device)
            if error is None:
                if device.verify_token(form.cleaned_data["code"]):
                    device_confirm(device=device)
                    otp_login(request, device)
                    request.session.cycle_key()
                    messages.success(request, _("Two-step sign-in is on."))
                    return HttpResponseRedirect(_next_url(request))
                error = _("The code is wrong or has expired. Enter the code the app shows now.")
    return render(
        request,
        "signin/totp_enrol.html",
        {
            "form": form,
            "error": error,
            "qr": qr_svg(device),
            "secret": secret_text(device),
            "issuer": settings.OTP_TOTP_ISSUER,
            "required": is_administrator(request.user),
            "replacing": existing is not None,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
        status=status,
    )


def oidc_view(view_class: Any) -> Callable[..., HttpResponse]:
    """mozilla-django-oidc's views, answering 404 unless single sign-on is configured."""
    view = view_class.as_view()

    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not settings.CHARTERDESK_OIDC:
            raise Http404
        return view(request, *args, **kwargs)  # type: ignore[no-any-return]

    return wrapper
