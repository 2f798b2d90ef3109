"""The project package as an app, and third-party apps under names our users read."""

from axes.apps import AppConfig as AxesAppConfig
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


class AxesConfig(AxesAppConfig):
    """The admin lists apps by verbose_name, and django-axes has none (the admin showed
    "AXES" on a Vietnamese page)."""

    verbose_name = _("Kiểm soát đăng nhập")
