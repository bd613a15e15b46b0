"""Server-side drafts of the composer: one per (employee, case, kind), restored on the case page,
deleted when the reply is sent; the endpoint needs the CSRF token and a case one may see."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client as HttpClient

from charterdesk.cases.models import Case
from charterdesk.desk.drafts import draft_discard, draft_get, draft_save
from charterdesk.desk.models import Draft
from tests.desk.conftest import PASSWORD, signed_in
from tests.desk.test_actions import post
from tests.factories import make_employee

pytestmark = pytest.mark.django_db


def test_saving_again_overwrites_and_an_empty_text_deletes(office):
    draft_save(employee=office.anna, case=office.case, body="Labdien!")
    draft_save(employee=office.anna, case=office.case, body="Labdien! Jā,")
    assert Draft.objects.count() == 1
    assert draft_get(employee=office.anna, case=office.case).body == "Labdien! Jā,"
    # a note's draft and a colleague's draft are other rows
    draft_save(employee=office.anna, case=office.case, body="piezīme", kind="note")
    draft_save(employee=office.laura, case=office.case, body="Lauras teksts")
    assert Draft.objects.count() == 3
    assert draft_get(employee=office.anna, case=office.case).body == "Labdien! Jā,"
    assert draft_save(employee=office.anna, case=office.case, body="   ") is None
    assert draft_get(employee=office.anna, case=office.case) is None
    assert draft_discard(employee=office.anna, case=office.case) == 0


def test_the_database_holds_one_draft_per_employee_case_and_kind(office):
    first = draft_save(employee=office.anna, case=office.case, body="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Draft.objects.create(
            employee=office.anna,
            case=office.case,
            kind="reply",
            body="b",
            updated_at=first.updated_at,
        )


def test_typed_text_is_saved_and_comes_back_on_the_case_page(office):
    client = signed_in(office.anna)
    url = f"/cases/{office.case.pk}/draft/"
    assert client.post(url, {"kind": "reply", "body": "Labdien, Ilze! Jā"}).json()["saved"]
    assert client.get(url).json()["body"] == "Labdien, Ilze! Jā"
    # opened again (a reload, another computer: the same employee signs in elsewhere)
    other_computer = signed_in(office.anna)
    html = other_computer.get(f"/cases/{office.case.pk}/").content.decode()
    assert ">Labdien, Ilze! Jā</textarea>" in html
    # a colleague opening the case does not get Anna's text
    assert (
        "Labdien, Ilze! Jā"
        not in signed_in(office.laura).get(f"/cases/{office.case.pk}/").content.decode()
    )


def test_sending_the_reply_deletes_the_draft(office):
    client = signed_in(office.anna)
    client.post(f"/cases/{office.case.pk}/draft/", {"kind": "reply", "body": "Labdien! Jā."})
    response = post(client, office.case, "reply", body="Labdien! Jā.", step="send")
    assert response.status_code == 302
    assert not Draft.objects.exists()
    html = client.get(f"/cases/{office.case.pk}/").content.decode()
    assert ">Labdien! Jā.</textarea>" not in html


def test_a_failed_send_keeps_the_draft(office):
    client = signed_in(office.anna)
    client.post(f"/cases/{office.case.pk}/draft/", {"kind": "reply", "body": "Teksts"})
    Case.objects.filter(pk=office.case.pk).update(version=99)  # changed meanwhile
    response = client.post(
        f"/cases/{office.case.pk}/reply/",
        {"reply-version": 1, "reply-seen_event": 0, "reply-body": "Teksts", "step": "send"},
    )
    assert response.status_code == 409
    assert Draft.objects.get().body == "Teksts"


def test_the_endpoint_wants_the_csrf_token_and_a_case_one_may_see(office):
    strict = HttpClient(enforce_csrf_checks=True)
    assert strict.login(username=office.anna.user.username, password=PASSWORD)
    url = f"/cases/{office.case.pk}/draft/"
    assert strict.post(url, {"kind": "reply", "body": "x"}).status_code == 403
    assert not Draft.objects.exists()
    outsider = make_employee("Pēteris", "Svešais")
    response = signed_in(outsider).post(url, {"kind": "reply", "body": "x"})
    assert response.status_code == 404
    assert signed_in(office.anna).post(url, {"kind": "letter", "body": "x"}).status_code == 400
    assert not Draft.objects.exists()
