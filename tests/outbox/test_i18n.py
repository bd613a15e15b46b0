"""Latvian first: the refusals the employee sees are in Latvian when the desk is in Latvian, and
the mail's language never follows the employee's screen."""

from __future__ import annotations

import pytest
from django.utils import translation

from charterdesk.cases.services import case_reply
from charterdesk.outbox.errors import IdentityMissing
from charterdesk.outbox.templating import TemplateSourceError, check_template_source
from tests.outbox.conftest import open_email_case, receive

pytestmark = pytest.mark.django_db


def test_refusal_in_latvian(email_case, employee):
    employee.surname = ""
    employee.save()
    with translation.override("lv"), pytest.raises(IdentityMissing) as excinfo:
        case_reply(case=email_case, by=employee, body="Atbilde")
    assert str(excinfo.value) == (
        "Identifikācijas bloku [EMAIL-IDENTITY] nevar izveidot, tāpēc e-pasts netiek nosūtīts: "
        "Darbiniekam Anna nav norādīts uzvārds."
    )


def test_template_error_in_latvian():
    with translation.override("lv"), pytest.raises(TemplateSourceError) as excinfo:
        check_template_source("Labdien, {{ vards }}!")
    assert str(excinfo.value).startswith("Nezināms mainīgais {{ vards }} (“vards”, 1. rinda).")


@pytest.mark.parametrize("screen", ["lv", "en"])
def test_mail_language_follows_the_client_not_the_screen(institution, employee, screen):
    case = open_email_case(language="en", assignee=employee)
    receive(case)
    with translation.override(screen):
        reply = case_reply(case=case, by=employee, body="Answer")
    assert "Kind regards," in reply.outbox.body_text
    assert "Phone +371" in reply.outbox.body_text
