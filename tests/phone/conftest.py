import pytest


@pytest.fixture(autouse=True)
def _forget_lookups():
    # The per-process memory of exchanges, lines and extensions must not outlive a test's rows.
    from charterdesk.channels.phone import lookups

    lookups.forget()
    yield
    lookups.forget()
