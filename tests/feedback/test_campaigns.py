"""Survey campaigns: an audience by filters, batches through the outbox, answers and results."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
import time_machine

from charterdesk.cases import services as cs
from charterdesk.feedback.models import Campaign, Question, SurveyInvitation
from charterdesk.feedback.services import campaign_results, campaign_send_batch
from charterdesk.outbox.models import OutboxMessage
from tests.factories import make_client, make_employee, make_institution, make_programme

pytestmark = pytest.mark.django_db
NOW = datetime.fromisoformat("2026-11-20T10:00+02:00")


def test_a_campaign_goes_out_in_batches_and_its_results_add_up(client):
    make_institution()
    agent = make_employee("Anna", "Bērziņa")
    loans, grants = make_programme("loans"), make_programme("grants")
    with time_machine.travel(datetime.fromisoformat("2026-11-05T10:00+02:00"), tick=False):
        for i, prog in enumerate([loans, loans, loans, grants]):
            person = make_client(f"Klients {i}", email=f"k{i}@example.lv")
            cs.case_open(
                client=person, channel="email", subject="Aizdevums", programme=prog, assignee=agent
            )
    campaign = Campaign.objects.create(
        title_lv="Aizdevumu pētījums",
        title_en="Loan research",
        programme=loans,
        channel="email",
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
        batch_size=2,
        created_at=NOW,
    )
    scale = Question.objects.create(
        campaign=campaign, position=1, kind="scale", text_lv="Cik viegli?", text_en="How easy?"
    )
    choice = Question.objects.create(
        campaign=campaign,
        position=2,
        kind="choice",
        text_lv="Kā uzzinājāt?",
        text_en="How did you hear?",
        choices=[["Internetā", "Online"], ["No drauga", "From a friend"]],
    )
    text = Question.objects.create(
        campaign=campaign, position=3, kind="text", text_lv="Ieteikumi", text_en="Suggestions"
    )
    with time_machine.travel(NOW, tick=False):
        assert campaign_send_batch(campaign=campaign) == 2
        assert (
            campaign_send_batch(campaign=campaign) == 1
        )  # the third loans client; grants are not in
        assert campaign_send_batch(campaign=campaign) == 0
    invitations = SurveyInvitation.objects.filter(campaign=campaign)
    assert invitations.count() == 3 and {i.programme for i in invitations} == {loans}
    mail = OutboxMessage.objects.filter(kind="survey").first()
    assert mail is not None
    url = re.search(r"http://localhost:8000(/feedback/c/\S+/)", mail.body_text)
    assert url
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        page = client.get(url.group(1))
        assert page.status_code == 200 and "Cik viegli?" in page.content.decode()
        done = client.post(
            url.group(1), {f"q{scale.pk}": "4", f"q{choice.pk}": "1", f"q{text.pk}": "Ātrāk"}
        )
        assert done.status_code == 200
        assert client.post(url.group(1), {f"q{scale.pk}": "1"}).status_code == 409  # used twice
    results = campaign_results(campaign)
    assert (results["sent"], results["answered"]) == (3, 1)
    assert results["rate"] == pytest.approx(1 / 3)
    by_q = {r["question"].pk: r for r in results["questions"]}
    assert by_q[scale.pk]["mean"] == 4.0 and by_q[choice.pk]["counts"] == {"1": 1}
    assert by_q[text.pk]["texts"] == ["Ātrāk"]
