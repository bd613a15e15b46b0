from django.urls import path
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from charterdesk.signin import views

urlpatterns = [
    path("signin/code/", views.totp_verify, name="signin_totp"),
    path("signin/authenticator/", views.totp_enrol, name="signin_totp_enrol"),
    # OpenID Connect single sign-on (404 unless CHARTERDESK_OIDC_CLIENT_ID is set); the names are
    # mozilla-django-oidc's own, which it reverses for the redirect URI.
    path(
        "oidc/authenticate/",
        views.oidc_view(OIDCAuthenticationRequestView),
        name="oidc_authentication_init",
    ),
    path(
        "oidc/callback/",
        views.oidc_view(OIDCAuthenticationCallbackView),
        name="oidc_authentication_callback",
    ),
]
