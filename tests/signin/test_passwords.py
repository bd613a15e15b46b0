"""The password policy: 12 characters at least, not all digits, not a common password."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Kr1stap-dz", "password_too_short"),  # 10 characters
        ("394857203948", "password_entirely_numeric"),
        ("password1234", "password_too_common"),
    ],
)
def test_weak_passwords_are_refused(password, code):
    with pytest.raises(ValidationError) as caught:
        validate_password(password)
    assert code in [e.code for e in caught.value.error_list]


def test_a_long_uncommon_password_passes():
    validate_password("zaļā-līdaka-Rūjienā-7")


def test_the_refusal_is_in_latvian():
    with translation.override("lv"), pytest.raises(ValidationError) as caught:
        validate_password("394857203948")
    assert any("cipar" in m for m in caught.value.messages), caught.value.messages


def test_the_admin_refuses_a_short_password(admin_client):
    user = get_user_model().objects.create_user("ilze", password="zaļā-līdaka-Rūjienā-7")
    response = admin_client.post(
        f"/en/admin/auth/user/{user.pk}/password/",
        {"password1": "short-pw-1", "password2": "short-pw-1"},
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
