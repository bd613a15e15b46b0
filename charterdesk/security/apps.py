from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "charterdesk.security"
    label = "security"
    verbose_name = _("Access and read log")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from charterdesk.directory.models import Employee, Team
        from charterdesk.security.principal import access_changed

        # What a principal remembers of the directory (principal.py: the teams led, the
        # programmes held) is read again after it changes.
        m2m_changed.connect(
            access_changed, sender=Employee.competences.through, dispatch_uid="access-competences"
        )
        post_save.connect(access_changed, sender=Team, dispatch_uid="access-team-save")
        post_delete.connect(access_changed, sender=Team, dispatch_uid="access-team-delete")
