"""The ``charterdesk`` console script: Django's management commands under one name.

``charterdesk demo``, ``charterdesk calendar …``, ``charterdesk email import …`` and Django's own
commands (``migrate``, ``db_worker``, ``runserver`` …) all run through here.

A configuration that cannot work (a missing ``SECRET_KEY`` in production mode, a broken policy
file, …) ends the command with one line saying what and where, and exit status 2 — not a traceback.

Start-up runs without the cyclic garbage collector: importing Django, psycopg and the apps makes a
few hundred thousand long-lived objects (modules, classes, functions), and the collector, run
every 700 allocations, walked them again and again — about a sixth of a command's start-up CPU
(0.1 s of ~0.6 s for ``charterdesk email import``).  Once the apps are ready and the command's
module is imported, what start-up made is frozen (``gc.freeze``: never scanned again) and the collector runs
as usual for the command itself.

A command run from the console that has finished ends the process without the interpreter's
teardown (``_leave``): the exit handlers run (``atexit``: logging, multiprocessing, thread pools),
the database connections are closed and the output flushed, but the modules are not taken apart
object by object and collected once more — ~10 % of the instructions of a short command, for
nothing the operating system does not do anyway.  Only when no other thread runs (normal exit
would wait for it) and only for the console script (``main()`` called with arguments, as tests
do, returns as usual).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import sys
import threading
from typing import Any, NoReturn

CONFIGURATION_ERROR = 2


def _collect_again() -> None:
    """Start-up is over: freeze what it made, and collect as usual from now on."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    gc.disable()  # until the apps are ready (``_collect_again``)
    try:
        _run(["charterdesk", *(sys.argv[1:] if argv is None else argv)])
    finally:
        gc.enable()  # (a command that never got so far: nothing to freeze)
    if argv is None and threading.active_count() == 1:
        _leave()


def _leave() -> NoReturn:
    """The command has finished: exit handlers, connections closed, output flushed, then the
    process ends at once (``os._exit``: no teardown of the interpreter)."""
    from django.db import connections

    connections.close_all()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to write
            stream.flush()
    os._exit(0)


def _run(argv: list[str]) -> None:
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import ManagementUtility

    class Utility(ManagementUtility):
        # Called once ``django.setup()`` has run, to import the command to run.
        def fetch_command(self, subcommand: str) -> Any:
            try:
                return super().fetch_command(subcommand)
            finally:
                _collect_again()

    try:
        Utility(argv).execute()
    except ImproperlyConfigured as exc:
        message = " ".join(str(exc).split())
        sys.stderr.write(f"charterdesk: configuration error: {message}\n")
        sys.exit(CONFIGURATION_ERROR)


if __name__ == "__main__":
    main()
