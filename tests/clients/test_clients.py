"""[CLIENT-CONTACT]: a client needs a valid phone or e-mail; bad values are refused, never fixed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from charterdesk.clients.models import Client
from charterdesk.clients.services import client_create, client_get_or_create_by_email


@pytest.fixture(autouse=True)
def _english():
    # The messages are asserted in English here; the Latvian ones are checked separately.
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


def test_client_with_phone_only_is_stored_normalised():
    client = client_create(name="Māris Strautiņš", phone="26 543 210")
    client.refresh_from_db()
    assert client.phone == "+37126543210"
    assert client.preferred_channel == "phone"


def test_client_without_any_contact_is_refused_and_nothing_is_saved():
    with pytest.raises(ValidationError) as info:
        client_create(name="Nobody")
    assert "phone number or an e-mail address" in str(info.value)
    assert Client.objects.count() == 0


def test_database_itself_refuses_a_client_without_contact():
    with pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.create(name="Bypass")


def test_bad_phone_names_the_field_and_value():
    with pytest.raises(ValidationError) as info:
        client_create(name="X", phone="12345")
    assert "phone" in info.value.message_dict
    assert "12345" in info.value.message_dict["phone"][0]
    assert Client.objects.count() == 0


def test_bad_email_is_refused():
    with pytest.raises(ValidationError) as info:
        client_create(name="X", email="x@")
    assert "email" in info.value.message_dict


def test_get_or_create_by_email_finds_existing_case_insensitively():
    first = client_get_or_create_by_email(email="Liga@Example.lv", name="Līga")
    again = client_get_or_create_by_email(email="liga@example.LV")
    assert first.pk == again.pk
    assert Client.objects.count() == 1


def test_lookup_by_address_uses_the_case_insensitive_index():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the query plan is checked on PostgreSQL (the lookup itself: the test above)")
    client_create(name="A", email="Anna@Example.lv")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        sql, params = Client.objects.filter(email__iexact="anna@example.lv").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "client_email_upper" in plan, plan
