from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dossiers"
    verbose_name = _("Hồ sơ và lịch làm việc")

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_delete, post_save

        from . import calendar_store, worklist_choices, worklist_search
        from .models import CalendarDay

        # The search box's SQL function on SQLite (PostgreSQL has it from migration 0005).
        connection_created.connect(worklist_search.register_sqlite, dispatch_uid="dossier-hay")
        worklist_choices.connect_invalidation()
        for signal in (post_save, post_delete):
            signal.connect(
                calendar_store.forget_overrides, sender=CalendarDay, dispatch_uid=f"cal-{signal}"
            )
