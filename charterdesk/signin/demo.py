"""The demo's administrator signs in with a second factor too: a fixed, published demo key (the
demo refuses to run in production mode), so an authenticator app set up once keeps working."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from charterdesk.signin.totp import secret_text

# 20 bytes, hex: "charterdesk-demo-key"; base32 MNUGC4TUMVZGIZLTNMWWIZLNN4WWWZLZ.
DEMO_TOTP_KEY = b"charterdesk-demo-key".hex()


@transaction.atomic
def demo_totp_enrol(username: str = "admin") -> str:
    """Give the demo user the demo authenticator (once); returns its key as text."""
    user = get_user_model().objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True, key=DEMO_TOTP_KEY).first()
    if device is None:
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user, name="demo", key=DEMO_TOTP_KEY, confirmed=True
        )
    return secret_text(device)


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
