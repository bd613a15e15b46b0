"""The ``charterdesk`` console script: Django's management commands under one name.

``charterdesk demo``, ``charterdesk calendar …``, ``charterdesk email import …`` and Django's own
commands (``migrate``, ``db_worker``, ``runserver`` …) all run through here.

A configuration that cannot work (a missing ``SECRET_KEY`` in production mode, a broken policy
file, …) ends the command with one line saying what and where, and exit status 2 — not a traceback.
"""

from __future__ import annotations

import os
import sys

CONFIGURATION_ERROR = 2


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["charterdesk", *(sys.argv[1:] if argv is None else argv)])
    except ImproperlyConfigured as exc:
        message = " ".join(str(exc).split())
        sys.stderr.write(f"charterdesk: configuration error: {message}\n")
        sys.exit(CONFIGURATION_ERROR)


if __name__ == "__main__":
    main()
