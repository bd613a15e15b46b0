from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    # The route step (assembly/route.py) writes the notifications; nothing is registered here.
    name = "charterdesk.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
