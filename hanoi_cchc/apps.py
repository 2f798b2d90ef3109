from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The project package as an app: operations (health, sweep heartbeats) and the
    authentication signals of hanoi_cchc.authn."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "hanoi_cchc"
    label = "portal"
    verbose_name = _("Vận hành hệ thống")

    def ready(self):
        from . import authn, dbretry  # noqa: F401 - connect their signals
