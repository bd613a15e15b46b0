from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from charterdesk.assembly.demo import load_demo
from charterdesk.directory.config import load_config
from charterdesk.outbox.defaults import install_default_templates
from charterdesk.sla.checks import sla_sweep

NOW = datetime.fromisoformat("2026-12-02T11:00+02:00")  # a Wednesday morning


@pytest.fixture
def demo():
    """The demo as `charterdesk demo` loads it, on a Wednesday morning."""
    with time_machine.travel(NOW, tick=False):
        load_config()
        install_default_templates()
        load_demo()
        sla_sweep()  # what `charterdesk demo` runs at start-up
    return NOW
