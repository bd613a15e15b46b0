from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "charterdesk.outbox"
    label = "outbox"
    verbose_name = _("Outgoing e-mail")
    # Which case events it hears, and the acknowledgement it is handed: charterdesk.assembly.route.
