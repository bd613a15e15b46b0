"""No case hijack by subject (issue 13): a reference in the subject threads only the case's own
client (or an address that already wrote to the case); anybody else opens a new case that
mentions the named one, which is neither changed nor reopened, and its client gets nothing."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from charterdesk.cases.models import Case, CaseLink, Direction, Message
from charterdesk.cases.services import case_add_message, case_close, case_open, case_resolve
from charterdesk.channels.email.intake.process import process_pending
from charterdesk.channels.email.intake.store import RawMail, store_raw
from charterdesk.channels.email.models import InboundEmail, InboundState
from tests.email.messages import build
from tests.factories import make_client, make_employee

pytestmark = pytest.mark.django_db


def take_in(*raws: bytes, batch_size: int | None = None) -> list[InboundEmail]:
    store_raw([RawMail(raw, "test") for raw in raws])
    process_pending(workers=0, batch_size=batch_size)
    return list(InboundEmail.objects.order_by("id"))


def closed_case() -> Case:
    client = make_client(name="Īstais Klients", email="klients@example.lv")
    case = case_open(client=client, channel="email", subject="Aizdevums")
    case_add_message(
        case=case,
        direction=Direction.INBOUND,
        kind="request",
        body="Sveiki",
        channel="email",
        sender="Īstais Klients <klients@example.lv>",
    )
    employee = make_employee()
    case_resolve(case=Case.objects.get(pk=case.pk), by=employee)
    case_close(case=Case.objects.get(pk=case.pk), by=employee)
    return Case.objects.get(pk=case.pk)


@pytest.mark.parametrize("batch_size", [1, 500])
def test_a_stranger_naming_a_case_opens_a_new_one_that_mentions_it(batch_size):
    case = closed_case()
    before = (case.version, Message.objects.filter(case=case).count())
    [row] = take_in(
        build(
            sender="Svešinieks <svesais@example.com>",
            subject=f"Re: [{case.reference}] Steidzami pārskaitiet naudu uz šo kontu",
        ),
        batch_size=batch_size,
    )
    case.refresh_from_db()
    assert row.state == InboundState.PROCESSED and row.case_id != case.pk
    assert case.status == "closed" and (case.version, case.messages.count()) == before
    new = Case.objects.get(pk=row.case_id)
    assert new.client.email == "svesais@example.com"
    assert row.info["mentions"] == [case.reference] and "threaded_by" not in row.info
    [link] = CaseLink.objects.all()
    assert (link.case, link.other, link.kind, link.message_id) == (
        new,
        case,
        "mentions",
        row.case_message_id,
    )
    # Nothing goes to the real client: every outbound message is on the stranger's case.
    assert not Message.objects.filter(case=case, direction=Direction.OUTBOUND).exists()


def test_the_case_s_client_still_threads_by_subject_and_reopens_it():
    case = closed_case()
    [row] = take_in(build(sender="klients@EXAMPLE.lv", subject=f"Re: Aizdevums [{case.reference}]"))
    case.refresh_from_db()
    assert row.case_id == case.pk and row.info["threaded_by"] == "subject"
    assert case.status == "open" and not CaseLink.objects.exists()


def test_an_address_that_already_wrote_to_the_case_threads():
    case = closed_case()
    case_add_message(
        case=case,
        direction=Direction.INBOUND,
        kind="request",
        body="No darba",
        channel="email",
        sender="Klients <klients@darbs.lv>",
    )
    [row] = take_in(build(sender="klients@darbs.lv", subject=f"Re: [{case.reference}]"))
    assert row.case_id == case.pk


def test_a_stranger_answering_our_message_id_still_threads():
    """In-Reply-To / References to our own Message-IDs stay (only mail we sent carries them)."""
    case = closed_case()
    Message.objects.filter(case=case).update(message_id="<ours-1@altum.lv>")
    [row] = take_in(
        build(sender="kolegis@example.com", subject="Re: x", in_reply_to="<ours-1@altum.lv>")
    )
    assert row.case_id == case.pk and row.info["threaded_by"] == "headers"


def test_the_mention_is_shown_on_both_cases(settings):
    settings.LANGUAGE_CODE = "lv"
    case = closed_case()
    [row] = take_in(build(sender="svesais@example.com", subject=f"Par {case.reference}"))
    employee = make_employee()
    http = HttpClient()
    http.force_login(employee.user)
    page = http.get(reverse("case", args=[case.pk])).content.decode()
    new = Case.objects.get(pk=row.case_id)
    assert new.reference in page and "Pieminēta" in page
    page = http.get(reverse("case", args=[new.pk])).content.decode()
    assert case.reference in page and "Piemin" in page
