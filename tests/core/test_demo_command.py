"""``charterdesk demo`` refuses a taken port (exit 1, saying which) before touching anything."""

from __future__ import annotations

import socket

import pytest
from django.core.management import CommandError, call_command


def test_a_taken_port_is_refused_with_a_clear_message():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(CommandError, match=f"Port {port} on 127.0.0.1 is taken"):
            call_command("demo", addr=f"127.0.0.1:{port}")


def test_a_port_that_is_not_a_number_is_refused():
    with pytest.raises(CommandError, match="must be a number"):
        call_command("demo", addr="127.0.0.1:http")
