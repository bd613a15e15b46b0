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
                "phone",
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


def test_admin_texts_built_from_model_names_read_right_in_latvian(admin_client):
    """Django's Latvian "Pēc %(filter_title)s" and "Pieejams %s" put a nominative where another
    case is needed ("Pēc statuss", "Pieejams biroji"); charterdesk/locale overrides them."""
    html = admin_client.get("/admin/cases/case/").content.decode()
    assert "Filtrs: statuss" in html and "Pēc statuss" not in html
    catalog = admin_client.get("/admin/jsi18n/").content.decode()
    assert "Pieejamie: %s" in catalog and "Pieejams %s" not in catalog


def test_the_task_queue_admin_reads_in_latvian(admin_client):
    html = admin_client.get("/admin/django_tasks_database/dbtaskresult/").content.decode()
    assert "Uzdevumu rezultāti" in html or "Uzdevuma rezultāts" in html
    assert "Task Result" not in html
