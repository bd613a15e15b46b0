"""The case services speak Latvian by default: an employee reads the refusal in their language."""

from __future__ import annotations

import pytest
from django.utils import translation

from charterdesk.cases import services as cs
from charterdesk.cases.errors import CaseError, IllegalTransition, MissingReasons
from tests.factories import make_client, make_employee, make_institution

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    make_institution()
    return cs.case_open(client=make_client(), channel="email", subject="x")


def test_latvian_refusals(case):
    emp = make_employee()
    with translation.override("lv"):
        with pytest.raises(MissingReasons) as missing:
            cs.case_decline(case=case, by=emp, reasons="")
        with pytest.raises(CaseError) as note:
            cs.case_transfer(case=case, to=emp, by=emp, note="")
        cs.case_close(case=case, by=emp)
        with pytest.raises(IllegalTransition) as illegal:
            cs.case_resolve(case=case, by=emp)
    ref = case.reference
    assert str(missing.value) == (
        f"Lietas {ref} atteikumam vajadzīgi klientam paredzēti pamatoti iemesli (vismaz 10 rakstzīmes)."
    )
    assert str(note.value) == f"Lietas {ref} nodošanai kolēģim vajadzīga piezīme."
    assert str(illegal.value) == (
        f"Lieta {ref} nevar pāriet no statusa 'slēgta' uz 'atrisināta'; "
        "no statusa 'slēgta' tā var pāriet uz: atvērta."
    )
