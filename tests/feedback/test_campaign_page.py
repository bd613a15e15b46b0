"""The quality manager's campaigns page: create (rules in the service), the audience counted before
sending, batches through the outbox, response rate and results; nobody else may run one."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import translation

from charterdesk.cases import services as cs
from charterdesk.feedback.campaigns import (
    Audience,
    CampaignError,
    QuestionSpec,
    audience_count,
    campaign_create,
    campaign_progress,
    campaign_send_next,
)
from charterdesk.feedback.models import Campaign, SurveyInvitation
from charterdesk.feedback.services import campaign_answer
from charterdesk.feedback.tokens import make_token
from charterdesk.outbox.models import OutboxMessage
from tests.factories import make_client, make_employee, make_institution, make_programme

pytestmark = pytest.mark.django_db
NOW = datetime.fromisoformat("2026-11-20T10:00+02:00")
NOV = Audience(date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):  # the services' messages, read in English here
        yield


@pytest.fixture
def people():
    make_institution()
    agent = make_employee("Anna", "Bērziņa")
    qm = make_employee("Dace", "Vītola", quality_manager=True)
    loans, grants = make_programme("loans"), make_programme("grants")
    opened = [
        ("2026-11-05T10:00+02:00", loans, "email"),
        ("2026-11-06T10:00+02:00", loans, "email"),
        ("2026-11-07T10:00+02:00", loans, "phone"),
        ("2026-11-08T10:00+02:00", grants, "email"),
        ("2026-10-30T10:00+02:00", loans, "email"),  # October: outside the period
    ]
    for i, (at, prog, channel) in enumerate(opened):
        with time_machine.travel(datetime.fromisoformat(at), tick=False):
            cs.case_open(
                client=make_client(f"Klients {i}", email=f"k{i}@example.lv"),
                channel=channel,
                subject="Aizdevums",
                programme=prog,
                assignee=agent,
            )
    declined = make_client("Atteicies", email="no@example.lv")
    declined.surveys_declined = True
    declined.save(update_fields=["surveys_declined"])
    with time_machine.travel(datetime.fromisoformat("2026-11-09T10:00+02:00"), tick=False):
        cs.case_open(client=declined, channel="email", subject="X", programme=loans)
    return {"agent": agent, "qm": qm, "loans": loans, "grants": grants}


QUESTIONS = [
    QuestionSpec("scale", "Cik viegli?", "How easy?"),
    QuestionSpec(
        "choice",
        "Kā uzzinājāt?",
        "How did you hear?",
        (("Internetā", "Online"), ("No drauga", "From a friend")),
    ),
    QuestionSpec("text", "Ieteikumi", "Suggestions"),
]


def test_the_audience_is_counted_by_the_filters_before_anything_is_sent(people):
    loans = people["loans"].pk
    assert audience_count(NOV) == 4  # the declined client and October's case left out
    assert audience_count(Audience(NOV.start, NOV.end, programme_id=loans)) == 3
    assert audience_count(Audience(NOV.start, NOV.end, loans, "email")) == 2
    assert audience_count(Audience(date(2026, 10, 1), date(2026, 10, 31))) == 1
    with pytest.raises(CampaignError, match="ends before it starts"):
        audience_count(Audience(date(2026, 11, 30), date(2026, 11, 1)))
    assert SurveyInvitation.objects.count() == 0


@pytest.mark.parametrize(
    ("questions", "expected"),
    [
        ([], "at least one question"),
        (
            [QuestionSpec("scale", "Cik?", "")],
            "Question 1 needs its text in Latvian and in English",
        ),
        ([QuestionSpec("choice", "Kā?", "How?", (("Jā", "Yes"),))], "at least two answers"),
        ([QuestionSpec("choice", "Kā?", "How?", (("Jā", "Yes"), ("Nē", "")))], "separated by"),
        ([QuestionSpec("text", "Kā?", "How?", (("Jā", "Yes"),))], "only a choice question"),
        ([QuestionSpec("poll", "Kā?", "How?")], "choose its kind"),
    ],
)
def test_a_campaign_is_complete_or_refused_by_the_service(people, questions, expected):
    with pytest.raises(CampaignError, match=expected):
        campaign_create(
            title_lv="P", title_en="R", audience=NOV, questions=questions, by=people["qm"]
        )
    assert Campaign.objects.count() == 0


def test_only_the_quality_manager_runs_a_campaign(people):
    with pytest.raises(CampaignError, match="quality manager"):
        campaign_create(
            title_lv="P", title_en="R", audience=NOV, questions=QUESTIONS, by=people["agent"]
        )
    campaign = campaign_create(
        title_lv="P", title_en="R", audience=NOV, questions=QUESTIONS, by=people["qm"]
    )
    with pytest.raises(CampaignError, match="quality manager"):
        campaign_send_next(campaign=campaign, by=people["agent"])
    assert SurveyInvitation.objects.count() == 0


def _form(people, **extra):
    data = {
        "title_lv": "Aizdevumu pētījums",
        "title_en": "Loan research",
        "programme": str(people["loans"].pk),
        "channel": "",
        "period_start": "2026-11-01",
        "period_end": "2026-11-30",
        "batch_size": "2",
        "q1-kind": "scale",
        "q1-text_lv": "Cik viegli bija pieteikties?",
        "q1-text_en": "How easy was it to apply?",
        "q2-kind": "choice",
        "q2-text_lv": "Kā uzzinājāt par mums?",
        "q2-text_en": "How did you hear of us?",
        "q2-choices": "Internetā | Online\nNo drauga | From a friend\n",
        "q3-kind": "text",
        "q3-text_lv": "Ieteikumi",
        "q3-text_en": "Suggestions",
    }
    data.update(extra)
    return data


def test_the_page_creates_counts_sends_in_batches_and_shows_results(client, people):
    client.force_login(people["qm"].user)
    with time_machine.travel(NOW, tick=False):
        assert client.get("/en/feedback/campaigns/").status_code == 200
        counted = client.post("/en/feedback/campaigns/", _form(people, action="count"))
        html = counted.content.decode()
        assert counted.status_code == 200 and "The filters reach 3 clients." in html
        assert Campaign.objects.count() == 0  # counting creates nothing
        lv = client.post(
            "/feedback/campaigns/", _form(people, action="count"), HTTP_ACCEPT_LANGUAGE="lv"
        )
        assert "Filtriem atbilst 3 klienti." in lv.content.decode()
        # a rule of the service comes back on the form
        bad = client.post(
            "/en/feedback/campaigns/",
            _form(people, action="create", **{"q2-choices": "Tikai viens | Only one"}),
        )
        assert bad.status_code == 200 and "at least two answers" in bad.content.decode()
        assert Campaign.objects.count() == 0
        created = client.post("/en/feedback/campaigns/", _form(people, action="create"))
        campaign = Campaign.objects.get()
        assert (
            created.status_code == 302
            and created["Location"] == f"/en/feedback/campaigns/{campaign.pk}/"
        )
        assert [q.kind for q in campaign.questions.all()] == ["scale", "choice", "text"]
        assert campaign.questions.get(kind="choice").choices == [
            ["Internetā", "Online"],
            ["No drauga", "From a friend"],
        ]
        assert campaign.created_by == people["qm"].user
        page = client.get(f"/en/feedback/campaigns/{campaign.pk}/").content.decode()
        assert "Audience 3; invited 0; not invited yet 3." in page
        assert "Send the next batch (2 invitations)" in page
        assert SurveyInvitation.objects.count() == 0  # nothing sent until asked
        sent = client.post(f"/en/feedback/campaigns/{campaign.pk}/send/")
        assert sent.status_code == 302
        assert SurveyInvitation.objects.filter(campaign=campaign).count() == 2
        assert OutboxMessage.objects.filter(kind="survey").count() == 2  # through the outbox
        page = client.get(f"/en/feedback/campaigns/{campaign.pk}/").content.decode()
        assert "2 invitations were handed to the outbox." in page
        assert "Send the next batch (1 invitation)" in page
        client.post(f"/en/feedback/campaigns/{campaign.pk}/send/")
        assert campaign_progress(campaign).invited == 3
        page = client.get(f"/en/feedback/campaigns/{campaign.pk}/").content.decode()
        assert "Send the next batch (0 invitations)" in page and "disabled" in page
    # one client answers, a few minutes later (the session stays signed in)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        invitation = SurveyInvitation.objects.filter(campaign=campaign).order_by("pk").first()
        token = make_token(invitation.pk, invitation.nonce)
        questions = {q.kind: q for q in campaign.questions.all()}
        campaign_answer(
            token=token,
            answers={
                questions["scale"].pk: "4",
                questions["choice"].pk: "1",
                questions["text"].pk: "Ātrāk, lūdzu",
            },
        )
        page = client.get(f"/en/feedback/campaigns/{campaign.pk}/").content.decode()
        assert "Sent 3, answered 1." in page and "Response rate: 33.3%." in page
        assert "Average: 4.00 of 5" in page
        assert re.search(r"<th scope=\"row\">From a friend</th><td class=\"num\">1</td>", page)
        assert "Ātrāk, lūdzu" in page
        listing = client.get("/feedback/campaigns/", HTTP_ACCEPT_LANGUAGE="lv").content.decode()
        assert "Aizdevumu pētījums" in listing and "33,3\u00a0%" in listing


def test_nobody_but_the_quality_manager_opens_the_page(client, people):
    campaign = campaign_create(
        title_lv="P", title_en="R", audience=NOV, questions=QUESTIONS, by=None
    )
    client.force_login(people["agent"].user)
    for url in ("/en/feedback/campaigns/", f"/en/feedback/campaigns/{campaign.pk}/"):
        answer = client.get(url)
        assert answer.status_code == 403 and "run by the quality manager" in answer.content.decode()
    assert client.post(f"/en/feedback/campaigns/{campaign.pk}/send/").status_code == 403
    assert client.post("/en/feedback/campaigns/", _form(people, action="create")).status_code == 403
    assert SurveyInvitation.objects.count() == 0 and Campaign.objects.count() == 1
