"""``charterdesk totp code USER``: the code a user's authenticator shows now — for the demo and
for trying the desk out only; refused in production mode."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from charterdesk.signin.demo import current_code
from charterdesk.signin.totp import confirmed_device


class Command(BaseCommand):
    help = "Print the current two-step sign-in code of a user (not in production mode)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        code = sub.add_parser("code", help="print the code the user's authenticator shows now")
        code.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "totp code is refused in production mode: a code comes from the person's "
                "own authenticator app",
                returncode=2,
            )
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=options["username"]).first()
        device = confirmed_device(user) if user is not None else None
        if device is None:
            raise CommandError(f"{options['username']}: has no authenticator set up", returncode=2)
        self.stdout.write(current_code(device))
