from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "charterdesk.directory"
    label = "directory"
