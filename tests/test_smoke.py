import pytest

from charterdesk.cases.services import case_open
from tests.factories import make_client


@pytest.mark.django_db
def test_open_case_gets_reference():
    case = case_open(client=make_client(), channel="email", subject="Jautājums")
    assert case.reference.startswith("ALT-")
    assert list(case.events.values_list("type", flat=True)) == ["case.opened"]
