import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English here; test_messages_lv.py checks the Latvian ones.
    with translation.override("en"):
        yield
