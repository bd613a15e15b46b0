from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "charterdesk.outbox"
    label = "outbox"
    verbose_name = _("Outgoing e-mail")

    def ready(self) -> None:
        from charterdesk.cases.events import register_listener
        from charterdesk.outbox.ack_hook import ack_sender
        from charterdesk.outbox.listener import on_case_event
        from charterdesk.sla.hooks import register_ack_sender

        # The outbox row is written in the case change's transaction [EMAIL-IDENTITY] …
        register_listener(on_case_event)
        # … and the SLA engine hands the owed acknowledgement to us [EMAIL-ACK].
        register_ack_sender(ack_sender)
