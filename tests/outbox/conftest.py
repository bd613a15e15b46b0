"""Fixtures of the outbox tests: an institution, an employee, an e-mail case with the client's
first message, and the real SMTP sink (``smtp_sink``)."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import translation

from charterdesk.cases.models import Case, Message
from charterdesk.cases.services import case_add_message, case_open
from tests.factories import make_client, make_employee, make_institution
from tests.support.smtp_sink import smtp_sink  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def _english_errors():
    """Error messages are asserted in English here; test_i18n checks the Latvian ones.  (Mail is
    always written in the message's language, whatever language is active.)"""
    with translation.override("en"):
        yield


def make_staff(
    first: str = "Anna",
    surname: str = "Bērziņa",
    *,
    phone: str | None = None,
    email: str | None = None,
):
    """An employee with the given contacts (the shared factory fixes them)."""
    employee = make_employee(first, surname)
    if phone is not None:
        employee.phone = phone
    if email is not None:
        employee.email = email
    employee.save(update_fields=["phone", "email"])
    return employee


@pytest.fixture
def institution(db):
    return make_institution()


@pytest.fixture
def employee(db):
    return make_employee("Anna", "Bērziņa")


def open_email_case(
    *,
    language: str = "lv",
    client_email: str | None = None,
    subject: str = "Mājokļa garantija",
    assignee=None,
    at: datetime | None = None,
) -> Case:
    client = make_client("Jānis Ozols", email=client_email, language=language)
    return case_open(
        client=client, channel="email", subject=subject, assignee=assignee, language=language, at=at
    )


def receive(
    case: Case,
    *,
    subject: str | None = None,
    message_id: str = "<client-1@example.lv>",
    references: str = "",
    meta: dict | None = None,
    body: str = "Labdien! Vai varu pieteikties?",
    at: datetime | None = None,
) -> Message:
    return case_add_message(
        case=case,
        direction="in",
        kind="request",
        body=body,
        channel="email",
        subject=subject or case.subject,
        sender=case.client.email,
        message_id=message_id,
        references=references,
        meta=meta or {},
        at=at,
    )


@pytest.fixture
def email_case(institution, employee):
    case = open_email_case(assignee=employee)
    receive(case)
    return case
