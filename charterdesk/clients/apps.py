from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "charterdesk.clients"
    label = "clients"
