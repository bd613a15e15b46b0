"""The admin's lists open for every model and show phone numbers the Latvian way."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from charterdesk.cases.services import case_open
from tests.factories import make_client, make_employee, make_institution

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("root", "root@altum.example", "pw-test-123456")
    client.force_login(user)
    return client


def test_every_registered_model_lists_and_adds(admin_client):
    make_institution()
    make_employee()
    case_open(client=make_client(phone="29123456"), channel="phone", subject="Zvans")
    for model in admin.site._registry:
        meta = model._meta
        if not meta.app_label.startswith(
            (
                "business_calendar",
                "directory",
                "clients",
                "cases",
                "sla",
                "outbox",
                "email_channel",
                "search",
                "security",
            )
        ):
            continue
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        response = admin_client.get(url)
        assert response.status_code == 200, url


def test_phones_in_latvian_grouping(admin_client):
    make_client(name="Māris", phone="29123456", email="")
    html = admin_client.get(reverse("admin:clients_client_changelist")).content.decode()
    assert "+371 29 123 456" in html and "+37129123456" not in html
    assert apps.get_model("clients", "Client").objects.get().phone == "+37129123456"
