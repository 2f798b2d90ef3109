from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dossiers"
    verbose_name = _("Hồ sơ và lịch làm việc")

    def ready(self):
        from django.db.backends.signals import connection_created

        from . import worklist_choices, worklist_search

        # The search box's SQL function on SQLite (PostgreSQL has it from migration 0005).
        connection_created.connect(worklist_search.register_sqlite, dispatch_uid="dossier-hay")
        worklist_choices.connect_invalidation()
