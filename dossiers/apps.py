from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dossiers"
    verbose_name = _("Hồ sơ và lịch làm việc")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import calendar_store, worklist_choices
        from .models import CalendarDay

        worklist_choices.connect_invalidation()
        for signal in (post_save, post_delete):
            signal.connect(
                calendar_store.forget_overrides, sender=CalendarDay, dispatch_uid=f"cal-{signal}"
            )
