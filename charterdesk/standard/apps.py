from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


class StandardConfig(AppConfig):
    name = "charterdesk.standard"
    label = "standard"
    verbose_name = _("Service standard")

    def ready(self) -> None:
        # Validate the policy at start-up: a broken file stops the process with its message.
        from charterdesk.standard import PolicyError, get_policy

        try:
            get_policy()
        except PolicyError as exc:
            raise ImproperlyConfigured(f"The service standard policy is broken: {exc}") from None
