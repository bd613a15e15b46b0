from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "charterdesk.sla"
    label = "sla"
