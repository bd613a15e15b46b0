import pytest


@pytest.fixture(autouse=True)
def _forget_extensions():
    # The per-process cache of extension → employee must not outlive a test's database rows.
    from charterdesk.channels.phone import services

    services._EXTENSIONS.clear()
    yield
    services._EXTENSIONS.clear()
