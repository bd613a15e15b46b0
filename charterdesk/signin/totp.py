"""The TOTP second factor (django-otp): who needs it, the one device per person, its QR code."""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

User = AbstractBaseUser | AnonymousUser


def is_administrator(user: User) -> bool:
    """Administrators (anyone who may open the administration) must use a second factor."""
    return bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("-pk").first()


def pending_device(user: User) -> TOTPDevice:
    """The device being enrolled: kept until confirmed, so reloading the page keeps the secret."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="charterdesk", confirmed=False)
    return device


@transaction.atomic
def device_confirm(*, device: TOTPDevice) -> None:
    """The new device replaces any earlier one: one authenticator per person."""
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])


def secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it: base32, in groups of four."""
    b32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(b32[i : i + 4] for i in range(0, len(b32), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI as an SVG QR code, drawn here (no network, no external service)."""
    image = qrcode.make(
        device.config_url,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=8,
        border=4,
    )
    svg: str = image.to_string(encoding="unicode")
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" class="qr" ', 1)
