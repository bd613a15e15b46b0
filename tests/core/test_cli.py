"""The ``charterdesk`` console script: start-up without the cyclic garbage collector, the command
itself with it (``charterdesk/cli.py``)."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from django.core.management import ManagementUtility

from charterdesk import cli


def test_start_up_runs_without_the_collector_and_the_command_with_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, bool] = {}

    class Command:
        def run_from_argv(self, argv: list[str]) -> None:
            seen["command"] = gc.isenabled()

    def fetch_command(self: ManagementUtility, subcommand: str) -> Any:
        seen["start-up"] = gc.isenabled()
        return Command()

    monkeypatch.setattr(ManagementUtility, "fetch_command", fetch_command)
    frozen = gc.get_freeze_count()
    try:
        cli.main(["anything"])
        assert seen == {"start-up": False, "command": True}
        assert gc.isenabled()
        assert gc.get_freeze_count() > frozen  # what start-up made is not scanned again
    finally:
        gc.unfreeze()
        gc.enable()


def test_the_collector_is_back_after_a_command_that_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def fetch_command(self: ManagementUtility, subcommand: str) -> Any:
        raise RuntimeError("no such thing")

    monkeypatch.setattr(ManagementUtility, "fetch_command", fetch_command)
    try:
        with pytest.raises(RuntimeError):
            cli.main(["anything"])
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()


def test_the_console_script_ends_at_once_with_its_output_complete(tmp_path: Any) -> None:
    """Run from the console, a finished command ends without the interpreter's teardown
    (``cli._leave``): exit status 0 and every line written, also through a pipe."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "CHARTERDESK_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "charterdesk", "help", "--commands"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    names = done.stdout.split()
    assert "email" in names and "migrate" in names and names == sorted(names)
    failed = subprocess.run(
        [sys.executable, "-m", "charterdesk", "email", "import", str(tmp_path / "nothing")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert failed.returncode == 1  # a command error still ends as before
