from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostChannelConfig(AppConfig):
    name = "charterdesk.channels.post"
    label = "post_channel"
    verbose_name = _("Letters (post)")
