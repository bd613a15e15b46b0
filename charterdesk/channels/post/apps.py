from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostChannelConfig(AppConfig):
    name = "charterdesk.channels.post"
    label = "post_channel"
    verbose_name = _("Letters (post)")

    def ready(self) -> None:
        from charterdesk.cases.recording import register_listener
        from charterdesk.channels.post.listener import on_case_event

        # A letter to the client is fixed (text, identity block, address) in the case change's
        # transaction, as the outbox fixes an e-mail; a letter that cannot be complete is refused.
        register_listener(on_case_event)
