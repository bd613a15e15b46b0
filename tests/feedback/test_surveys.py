"""Satisfaction surveys: sent after a resolved case through the outbox (or by text message), a
signed single-use expiring link, the policy's interval per client, and every refusal as a page."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import TestCase

from charterdesk.cases import services as cs
from charterdesk.directory.models import Office, Programme, Team
from charterdesk.feedback.models import Feedback, SurveyInvitation
from charterdesk.outbox.models import OutboxMessage
from charterdesk.sla.models import Timer
from tests.factories import make_client, make_employee, make_institution

pytestmark = pytest.mark.django_db
START = datetime.fromisoformat("2026-11-03T10:00+02:00")


@pytest.fixture
def people():
    make_institution()
    team = Team.objects.create(name_lv="Garantijas", name_en="Guarantees")
    agent = make_employee("Anna", "Bērziņa", team=team)
    office = Office.objects.create(code="riga", name_lv="Rīga", name_en="Riga", address="Rīga")
    programme = Programme.objects.create(
        code="g", name_lv="Garantijas", name_en="Guarantees", category="guarantee"
    )
    return agent, office, programme, team


def resolved_case(people, client=None, channel="email", at=START):
    agent, office, programme, team = people
    client = client or make_client("Jānis Ozols", email="janis@example.lv")
    with time_machine.travel(at, tick=False):
        case = cs.case_open(
            client=client,
            channel=channel,
            subject="Garantija",
            assignee=agent,
            office=office,
            programme=programme,
            team=team,
        )
        # The survey goes out after the resolution commits: run the commit's callbacks.
        with TestCase.captureOnCommitCallbacks(execute=True):
            cs.case_resolve(case=case, by=agent)
    return case


def link_of(case, score=5):
    mail = OutboxMessage.objects.filter(case=case, kind="survey").get()
    links = dict(re.findall(r"^(\d): (\S+)$", mail.body_text, re.M))
    return links[str(score)].split("localhost:8000", 1)[1]


def test_resolving_a_case_sends_a_survey_and_one_click_gives_the_score(client, people):
    case = resolved_case(people)
    invitation = SurveyInvitation.objects.get(case=case)
    agent, office, programme, _team = people
    assert (invitation.channel, invitation.office, invitation.programme, invitation.employee) == (
        "email",
        office,
        programme,
        agent,
    )
    mail = OutboxMessage.objects.get(case=case, kind="survey")
    assert mail.to == "janis@example.lv" and case.reference in mail.subject
    with time_machine.travel(START + timedelta(days=1), tick=False):
        page = client.get(link_of(case, 4))
        assert page.status_code == 200 and "4" in page.content.decode()
        invitation.refresh_from_db()
        assert invitation.score == 4 and invitation.answered_at is not None
        # the optional comment, marked as praise, is recorded as feedback from the survey
        done = client.post(
            page.request["PATH_INFO"].rsplit("/", 2)[0] + "/comment/",
            {"comment": "Ļoti laipni!", "kind": "praise"},
        )
        assert done.status_code == 200
        fb = Feedback.objects.get()
        assert (fb.kind, fb.channel, fb.case, fb.employee) == ("praise", "survey", case, agent)
        # used twice: refused with a clear page
        again = client.get(link_of(case, 1))
        assert again.status_code == 409 and 'id="refused-used"' in again.content.decode()
    invitation.refresh_from_db()
    assert invitation.score == 4


def test_a_forged_link_is_refused(client, people):
    case = resolved_case(people)
    url = link_of(case)
    token = url.split("/")[-3]
    forged = url.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    page = client.get(forged)
    assert page.status_code == 400 and 'id="refused-forged"' in page.content.decode()
    other = SurveyInvitation.objects.get(case=case)
    from charterdesk.feedback.tokens import make_token

    with time_machine.travel(START + timedelta(days=1), tick=False):
        wrong_nonce = make_token(other.pk, "0" * 32)
        assert client.get(f"/feedback/s/{wrong_nonce}/5/").status_code == 400
    assert SurveyInvitation.objects.get(case=case).answered_at is None


def test_an_expired_link_is_refused(client, people):
    case = resolved_case(people)
    with time_machine.travel(START + timedelta(days=15), tick=False):
        page = client.get(link_of(case))
    assert page.status_code == 410 and 'id="refused-expired"' in page.content.decode()
    assert SurveyInvitation.objects.get(case=case).answered_at is None


def test_the_cases_own_employee_cannot_open_or_answer_it(client, people):
    case = resolved_case(people)
    agent = people[0]
    client.force_login(agent.user)
    with time_machine.travel(START + timedelta(days=1), tick=False):
        page = client.get(link_of(case))
    assert page.status_code == 403 and 'id="refused-own"' in page.content.decode()
    assert SurveyInvitation.objects.get(case=case).answered_at is None


def test_not_more_often_than_the_policy_says_and_never_after_declining(people):
    janis = make_client("Jānis Ozols", email="janis@example.lv")
    resolved_case(people, client=janis)
    resolved_case(people, client=janis, at=START + timedelta(days=29))  # within 30 days: no
    assert SurveyInvitation.objects.filter(client=janis).count() == 1
    resolved_case(people, client=janis, at=START + timedelta(days=31))
    assert SurveyInvitation.objects.filter(client=janis).count() == 2
    declined = make_client("Ilze Liepa", email="ilze@example.lv")
    declined.surveys_declined = True
    declined.save()
    resolved_case(people, client=declined)
    assert not SurveyInvitation.objects.filter(client=declined).exists()


def test_after_a_call_by_text_message_through_the_pluggable_sender(people, settings, tmp_path):
    settings.CHARTERDESK_SMS_SENDER = "charterdesk.feedback.sms.FileSender"
    settings.CHARTERDESK_SMS_DIR = tmp_path / "sms"
    caller = make_client("Pēteris Kalns", email="", phone="29123456")
    case = resolved_case(people, client=caller, channel="phone")  # runs the commit's callbacks
    invitation = SurveyInvitation.objects.get(case=case)
    assert (invitation.kind, invitation.via, invitation.channel) == ("call", "sms", "phone")
    (sms,) = (tmp_path / "sms").iterdir()
    data = json.loads(sms.read_text(encoding="utf-8"))
    assert data["to"] == "+37129123456" and "/feedback/s/" in data["text"]
    assert not OutboxMessage.objects.filter(case=case).exists()


def test_without_a_sender_no_text_message_is_claimed(people, settings):
    settings.CHARTERDESK_SMS_SENDER = ""
    caller = make_client("Pēteris Kalns", email="", phone="29123456")
    case = resolved_case(people, client=caller, channel="phone")
    assert not SurveyInvitation.objects.filter(case=case).exists()


def test_a_complaint_is_a_case_with_its_own_deadline(people):
    from charterdesk.feedback.services import FeedbackError, feedback_record

    case = resolved_case(people)
    agent = people[0]
    with time_machine.travel(START + timedelta(days=2), tick=False):
        fb = feedback_record(
            kind="complaint", channel="phone", text="Neviens neatzvanīja.", case=case, by=agent
        )
    assert fb.complaint_case is not None and fb.complaint_case.client == case.client
    timer = Timer.objects.get(case=fb.complaint_case, commitment_id="COMPLAINT-REPLY")
    # 10 working days from Thu 5 Nov 2026 10:00, 18 Nov (Proclamation Day) not one → Fri 20 Nov
    assert timer.due_at == datetime.fromisoformat("2026-11-20T10:00+02:00")
    assert case.events.filter(type="feedback.received").count() == 1
    praise = feedback_record(kind="praise", channel="in_person", text="Paldies!", employee=agent)
    assert praise.complaint_case is None
    with pytest.raises(FeedbackError, match="par lietu, darbinieku vai konsultāciju biroju"):
        feedback_record(kind="suggestion", channel="post", text="Ideja")
    with pytest.raises(FeedbackError, match="jānorāda teksts"):
        feedback_record(kind="praise", channel="post", text="  ", employee=agent)
