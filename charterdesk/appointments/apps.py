from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "charterdesk.appointments"
    label = "appointments"
    verbose_name = _("Consultations in person")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from charterdesk.appointments import models
        from charterdesk.appointments.plans import plans_changed

        for model in (models.ConsultantPlan, models.ConsultantException, models.ConsultantLeave):
            post_save.connect(plans_changed, sender=model, dispatch_uid=f"plans-{model.__name__}")
            post_delete.connect(
                plans_changed, sender=model, dispatch_uid=f"plans-del-{model.__name__}"
            )
