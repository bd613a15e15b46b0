from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "charterdesk.outbox"
    label = "outbox"
