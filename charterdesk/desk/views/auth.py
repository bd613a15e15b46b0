"""Sign-in and sign-out for staff (Django auth)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "The user name or password is wrong. Both are case-sensitive; check Caps Lock."
        ),
        "inactive": _("This account is disabled. Ask the administrator."),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].label = _("User name")
        self.fields["password"].label = _("Password")
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        # The inbox in the language of the sign-in page (/en/ for English); an administrator
        # without an employee profile has no inbox and goes to the administration.
        user = self.request.user
        if user.is_staff and not hasattr(user, "employee"):
            return reverse("admin:index")
        return reverse("inbox")


class SignOutView(auth_views.LogoutView):
    next_page = "login"
