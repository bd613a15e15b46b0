"""The quality manager's survey campaigns page in Chromium, in Latvian and in English: reached
from the header, the audience counted before creating, a batch sent, the results; axe-core on
every state."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
import time_machine

from charterdesk.cases import services as cs
from charterdesk.feedback.campaigns import (
    Audience,
    QuestionSpec,
    campaign_create,
    campaign_send_next,
)
from charterdesk.feedback.models import SurveyInvitation
from charterdesk.feedback.services import campaign_answer
from charterdesk.feedback.tokens import make_token
from tests.browser.conftest import check_accessibility, sign_in
from tests.factories import make_client, make_employee, make_institution, make_programme

pytestmark = pytest.mark.browser


@pytest.fixture
def people(transactional_db):
    make_institution()
    agent = make_employee("Anna", "Bērziņa")
    qm = make_employee("Dace", "Vītola", quality_manager=True)
    loans = make_programme("loans", name_lv="Aizdevumi", name_en="Loans")
    with time_machine.travel(datetime.fromisoformat("2026-11-05T10:00+02:00"), tick=False):
        for i in range(3):
            cs.case_open(
                client=make_client(f"Klients {i}", email=f"k{i}@example.lv"),
                channel="email",
                subject="Aizdevums",
                programme=loans,
                assignee=agent,
            )
    return {"agent": agent, "qm": qm, "loans": loans}


def test_the_quality_manager_creates_and_sends_a_campaign_in_latvian(page, people):
    sign_in(page, people["qm"].user.username)
    page.locator("#nav-campaigns").click()
    page.get_by_role("heading", name="Aptauju kampaņas", exact=True).wait_for()
    check_accessibility(page, "the campaigns page (lv)")
    page.get_by_label("Nosaukums latviski").fill("Aizdevumu pētījums")
    page.get_by_label("Nosaukums angliski").fill("Loan research")
    page.get_by_label("Programma").select_option(label="Aizdevumi")
    page.get_by_label("Lietas atvērtas no").fill("2026-11-01")
    page.get_by_label("Lietas atvērtas līdz").fill("2026-11-30")
    page.get_by_label("Ielūgumu skaits vienā partijā").fill("2")
    first = page.locator("fieldset", has=page.locator("legend", has_text="1. jautājums"))
    first.get_by_label("Veids").select_option("scale")
    first.get_by_label("Jautājums latviski").fill("Cik viegli bija pieteikties?")
    first.get_by_label("Jautājums angliski").fill("How easy was it to apply?")
    page.get_by_role("button", name="Saskaitīt auditoriju").click()
    page.locator("#audience-count").wait_for()
    assert page.locator("#audience-count").inner_text() == "Filtriem atbilst 3 klienti."
    check_accessibility(page, "the campaign form with its audience counted (lv)")
    # a rule of the service comes back on the form: a choice needs two answers
    second = page.locator("fieldset", has=page.locator("legend", has_text="2. jautājums"))
    second.get_by_label("Veids").select_option("choice")
    second.get_by_label("Jautājums latviski").fill("Kā uzzinājāt?")
    second.get_by_label("Jautājums angliski").fill("How did you hear?")
    second.locator("textarea").fill("Internetā | Online")
    page.get_by_role("button", name="Izveidot kampaņu").click()
    page.locator("#campaign-error").wait_for()
    assert "vismaz divus atbilžu variantus" in page.locator("#campaign-error").inner_text()
    check_accessibility(page, "the campaign form refused (lv)")
    page.locator("fieldset", has=page.locator("legend", has_text="2. jautājums")).locator(
        "textarea"
    ).fill("Internetā | Online\nNo drauga | From a friend")
    page.get_by_role("button", name="Izveidot kampaņu").click()
    page.wait_for_url(re.compile(r"/feedback/campaigns/\d+/$"))
    assert (
        "Auditorija: 3; ielūgti: 0; vēl nav ielūgti: 3." in page.locator("#progress").inner_text()
    )
    check_accessibility(page, "a new campaign (lv)")
    page.get_by_role("button", name="Sūtīt nākamo partiju (2 ielūgumi)").click()
    page.get_by_text("Izsūtīšanai nodoti 2 ielūgumi.").wait_for()
    assert SurveyInvitation.objects.filter(campaign__title_lv="Aizdevumu pētījums").count() == 2
    assert "ielūgti: 2" in page.locator("#progress").inner_text()
    check_accessibility(page, "a campaign after a batch (lv)")


def test_the_campaign_results_in_english(page, people):
    campaign = campaign_create(
        title_lv="Aizdevumu pētījums",
        title_en="Loan research",
        audience=Audience(date(2026, 11, 1), date(2026, 11, 30), people["loans"].pk),
        questions=[
            QuestionSpec("scale", "Cik viegli?", "How easy?"),
            QuestionSpec(
                "choice",
                "Kā uzzinājāt?",
                "How did you hear?",
                (("Internetā", "Online"), ("No drauga", "From a friend")),
            ),
            QuestionSpec("text", "Ieteikumi", "Suggestions"),
        ],
        by=people["qm"],
    )
    campaign_send_next(campaign=campaign, by=people["qm"])
    invitation = SurveyInvitation.objects.filter(campaign=campaign).order_by("pk").first()
    q = {x.kind: x.pk for x in campaign.questions.all()}
    campaign_answer(
        token=make_token(invitation.pk, invitation.nonce),
        answers={q["scale"]: "5", q["choice"]: "0", q["text"]: "Faster, please"},
    )
    sign_in(page, people["qm"].user.username)
    page.goto("/en/feedback/campaigns/")
    page.get_by_role("heading", name="Survey campaigns", exact=True).wait_for()
    assert "33.3%" in page.locator("#campaign-list").inner_text()
    check_accessibility(page, "the campaigns page (en)")
    page.get_by_role("link", name="Loan research").click()
    page.wait_for_url(re.compile(r"/en/feedback/campaigns/\d+/$"))
    assert "Sent 3, answered 1. Response rate: 33.3%." in page.locator("#rate").inner_text()
    assert page.get_by_role("row", name="Online 1").is_visible()
    assert page.get_by_text("Faster, please").is_visible()
    check_accessibility(page, "the campaign results (en)")


def test_an_employee_has_no_campaigns_link_and_is_refused(page, people):
    sign_in(page, people["agent"].user.username)
    assert page.locator("#nav-campaigns").count() == 0
    assert page.locator("#nav-reports").count() == 0
    page.goto("/feedback/campaigns/")
    page.get_by_role("heading", name="Nav pieejams").wait_for()
    check_accessibility(page, "the campaigns page refused (lv)")
