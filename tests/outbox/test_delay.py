"""[EMAIL-REPLY-1BD] when the one-working-day answer cannot be given, the employee sends the reason
from the template; the timer records the commitment kept by explanation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from charterdesk.cases.errors import CaseError
from charterdesk.cases.models import CaseEvent
from charterdesk.cases.services import case_promise
from charterdesk.outbox.models import MessageTemplate
from charterdesk.outbox.services import delay_explanation_send, delay_explanation_text
from charterdesk.sla.models import Timer
from tests.outbox.conftest import open_email_case, receive

pytestmark = pytest.mark.django_db

WED_10 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # Wednesday 10:00 in Riga


def test_latvian_text_from_the_template(institution, employee):
    case = open_email_case(assignee=employee)
    text = delay_explanation_text(case, employee, "Jāsaņem atzinums no programmas vadītāja.")
    assert text.startswith("Labdien!\n")
    assert "nevaram atbildēt vienas darba dienas laikā" in text
    assert f"({case.reference})" in text
    assert "Iemesls: Jāsaņem atzinums no programmas vadītāja." in text
    assert "Atbildēsim, tiklīdz būs pieejama visa vajadzīgā informācija." in text


def test_english_text_with_the_promised_date(institution, employee):
    case = open_email_case(language="en", assignee=employee)
    with time_machine.travel(WED_10, tick=False):
        case = case_promise(
            case=case,
            by=employee,
            due=datetime(2026, 11, 30, 13, 0, tzinfo=UTC),
            message="We will answer by 30 Nov 2026.",
        )
        text = delay_explanation_text(case, employee, "We need the programme manager's opinion.")
    assert "The reason: We need the programme manager's opinion." in text
    assert "We will answer by 30 November 2026 at 15:00 at the latest." in text


def test_reason_is_required(institution, employee):
    case = open_email_case(assignee=employee)
    with pytest.raises(CaseError, match="needs the reason"):
        delay_explanation_text(case, employee, "   ")


def test_a_programme_template_is_used_for_its_cases(institution, employee):
    from tests.factories import make_programme

    programme = make_programme()
    MessageTemplate.objects.create(
        name="delay-guarantees",
        kind="delay",
        language="lv",
        programme=programme,
        body="{{ programme_name }}: {{ reason }} — {{ employee_name }}",
    )
    case = open_email_case(assignee=employee)
    case.programme = programme
    case.save(update_fields=["programme"])  # test set-up only: the desk sets it via services
    text = delay_explanation_text(case, employee, "Vajadzīgs atzinums.")
    assert text == f"{programme.name_lv}: Vajadzīgs atzinums. — Anna Bērziņa"


def test_sending_the_explanation_keeps_the_commitment_by_explanation(institution, employee):
    with time_machine.travel(WED_10, tick=False):
        case = open_email_case(assignee=employee)
        receive(case)
    with time_machine.travel(datetime(2026, 11, 26, 7, 0, tzinfo=UTC), tick=False):  # Thu 09:00
        sent = delay_explanation_send(case=case, by=employee, reason="Jāsaņem atzinums.")
    assert sent.kind == "delay" and sent.author == employee
    types = list(CaseEvent.objects.filter(message=sent).values_list("type", flat=True))
    assert types == ["message.sent", "delay.explained"]
    row = sent.outbox
    assert "Anna Bērziņa" in row.identity_text and row.identity_text in row.body_text
    assert "Iemesls: Jāsaņem atzinums." in row.body_text
    assert row.headers["In-Reply-To"] == "<client-1@example.lv>"
    assert "Auto-Submitted" not in row.headers
    reply_timer = Timer.objects.get(case=case, commitment_id="EMAIL-REPLY-1BD")
    assert reply_timer.status == "met"
    assert reply_timer.kept_by == "explanation"
    assert reply_timer.explained_at == datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
