"""The channels a client reaches the institution by: the one ``Channel`` enum.

The standard's commitments name them (``channel = "email"`` in the policy file, or ``"any"``),
cases and messages store them, the channels' packages (``channels/email`` …) take mail, calls and
letters in by them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    PHONE = "phone", _("phone")
    IN_PERSON = "in_person", _("in person")
    POST = "post", _("post")
    PORTAL = "portal", _("client portal")


#: In the policy file: a commitment that holds on every channel.
ANY_CHANNEL = "any"
