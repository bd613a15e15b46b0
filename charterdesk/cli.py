"""The ``charterdesk`` console script: Django's management commands under one name.

``charterdesk demo``, ``charterdesk calendar …``, ``charterdesk email import …`` and Django's own
commands (``migrate``, ``db_worker``, ``runserver`` …) all run through here.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["charterdesk", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
