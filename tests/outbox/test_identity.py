"""[EMAIL-IDENTITY] the identity block: complete, in the client's language, text and HTML."""

from __future__ import annotations

import pytest

from charterdesk.outbox.errors import IdentityMissing
from charterdesk.outbox.identity import render_identity_block
from tests.factories import make_employee
from tests.outbox.conftest import make_staff

pytestmark = pytest.mark.django_db


def test_latvian_block_text_matches_the_house_style(institution):
    anna = make_staff("Anna", "Bērziņa", phone="+37167774010", email="anna@altum.lv")
    text, _html = render_identity_block(institution=institution, employee=anna, language="lv")
    assert text == (
        "Ar cieņu,\n"
        "Anna Bērziņa\n"
        "Konsultante\n"
        "Attīstības finanšu institūcija Altum\n"
        "Tālr. +371 67 774 010 · anna@altum.lv"
    )


def test_english_block_text(institution):
    anna = make_staff("Anna", "Bērziņa", phone="+37126123456", email="anna@altum.lv")
    text, _html = render_identity_block(institution=institution, employee=anna, language="en")
    assert text == (
        "Kind regards,\n"
        "Anna Bērziņa\n"
        "Consultant\n"
        "Development Finance Institution Altum\n"
        "Phone +371 26 123 456 · anna@altum.lv"
    )


@pytest.mark.parametrize(
    "language, regards, name",
    [
        ("lv", "Ar cieņu,", "Attīstības finanšu institūcija Altum"),
        ("en", "Kind regards,", "Development Finance Institution Altum"),
    ],
)
def test_html_block_has_every_part(institution, language, regards, name):
    anna = make_staff("Anna", "Bērziņa", phone="+37167774010", email="anna@altum.lv")
    _text, html = render_identity_block(institution=institution, employee=anna, language=language)
    for part in (
        regards,
        "<strong>Anna Bērziņa</strong>",
        name,
        "+371 67 774 010",
        'href="tel:+37167774010"',
        'href="mailto:anna@altum.lv"',
    ):
        assert part in html


def test_html_escapes_what_people_typed(institution):
    bad = make_employee("<script>alert(1)</script>", "O'Brien & Co")
    text, html = render_identity_block(institution=institution, employee=bad, language="en")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "O&#x27;Brien &amp; Co" in html
    assert "<script>alert(1)</script> O'Brien & Co" in text  # text is text


def test_block_without_employee_is_the_institutions(institution):
    text, html = render_identity_block(institution=institution, employee=None, language="lv")
    assert text == (
        "Ar cieņu,\nAttīstības finanšu institūcija Altum\nTālr. +371 67 774 010 · altum@altum.lv"
    )
    assert "<strong>" not in html


def test_other_languages_fall_back_to_latvian(institution, employee):
    text, _ = render_identity_block(institution=institution, employee=employee, language="ru")
    assert text.startswith("Ar cieņu,")


def test_no_institution_configured_is_refused(employee):
    with pytest.raises(IdentityMissing, match="No institution is configured"):
        render_identity_block(institution=None, employee=employee, language="lv")


@pytest.mark.parametrize(
    "field, value, problem",
    [
        ("first_name", "", "has no first name"),
        ("surname", " ", "has no surname"),
    ],
)
def test_employee_without_names_is_refused(institution, employee, field, value, problem):
    setattr(employee, field, value)
    with pytest.raises(IdentityMissing, match=problem):
        render_identity_block(institution=institution, employee=employee, language="lv")


def test_employee_without_any_contact_is_refused(institution, employee):
    employee.phone = ""
    employee.email = ""
    with pytest.raises(IdentityMissing, match="neither a phone number nor an e-mail"):
        render_identity_block(institution=institution, employee=employee, language="en")


def test_employee_with_only_an_email_is_enough(institution, employee):
    employee.phone = ""
    text, _ = render_identity_block(institution=institution, employee=employee, language="lv")
    assert text.endswith(f"\n{employee.email}")
