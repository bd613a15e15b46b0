"""An administrator without an employee profile signs in at the desk and lands in the admin."""

import pytest
from django.contrib.auth import get_user_model

from tests.factories import make_employee

pytestmark = pytest.mark.django_db


def test_staff_without_employee_goes_to_the_admin(client):
    get_user_model().objects.create_superuser("boss", "boss@altum.example", "pw-test-123456")
    response = client.post("/login/", {"username": "boss", "password": "pw-test-123456"})
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_employee_goes_to_the_inbox(client):
    employee = make_employee()
    response = client.post(
        "/login/", {"username": employee.user.username, "password": "pw-test-123456"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
