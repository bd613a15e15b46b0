"""Phone numbers and e-mail addresses: Latvian conventions, clear errors, no silent fixes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from charterdesk.core.validators import format_phone, normalise_email, normalise_phone


@pytest.fixture(autouse=True)
def _english():
    # The messages are asserted in English here; the Latvian ones are checked separately.
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("raw", "e164", "shown"),
    [
        ("67774010", "+37167774010", "+371 67 774 010"),
        ("+371 67774118", "+37167774118", "+371 67 774 118"),
        ("+371 2912 3456", "+37129123456", "+371 29 123 456"),
        ("(+371) 29-123-456", "+37129123456", "+371 29 123 456"),
        ("80005555", "+37180005555", "+371 80 005 555"),
        ("+4722334455", "+4722334455", "+47 22 33 44 55"),
    ],
)
def test_valid_numbers_are_stored_in_e164_and_shown_the_latvian_way(raw, e164, shown):
    assert normalise_phone(raw) == e164
    assert format_phone(e164) == shown


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2912345", "is not a valid Latvian number: it needs 8 digits starting with 2, 6 or 8"),
        ("291234567", "is not a valid Latvian number"),
        ("49123456", "is not a valid Latvian number"),
        ("+371 29l23456", "contains characters that are not allowed: l"),
        ("tel. 29123456", "contains characters that are not allowed"),
        ("", "Enter a phone number."),
        ("+999 123", "is not"),
    ],
)
def test_bad_numbers_get_a_message_naming_the_value(raw, message):
    with pytest.raises(ValidationError) as info:
        normalise_phone(raw)
    text = " ".join(info.value.messages)
    assert message in text
    if raw:
        assert raw.strip() in text


def test_email_domain_lowercased_local_part_kept():
    assert normalise_email(" Janis.Ozols@Example.LV ") == "Janis.Ozols@example.lv"


@pytest.mark.parametrize(
    "raw", ["janis", "janis@", "@example.lv", "janis@@example.lv", "jānis ozols@x.lv", ""]
)
def test_bad_email_addresses_are_refused(raw):
    with pytest.raises(ValidationError, match="is not a valid e-mail address"):
        normalise_email(raw)


def test_messages_are_latvian_by_default():
    with translation.override("lv"), pytest.raises(ValidationError) as info:
        normalise_phone("2912345")
    assert info.value.messages == [
        "2912345 nav derīgs Latvijas numurs: vajadzīgi 8 cipari, kas sākas ar 2, 6 vai 8."
    ]
