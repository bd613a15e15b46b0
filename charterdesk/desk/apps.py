from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "charterdesk.desk"
    label = "desk"
