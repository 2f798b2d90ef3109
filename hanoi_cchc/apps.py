"""Third-party apps under names our users read: the admin lists apps by verbose_name, and
django-axes has none (the admin showed "AXES" on a Vietnamese page, issue 14)."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    verbose_name = _("Kiểm soát đăng nhập")
