"""Operations records of the portal itself (not of a dossier)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """When a periodic job last ran to the end, for /healthz and the admin alert.

    In the database, not the cache: monitoring must still see it while Redis is down.
    """

    name = models.CharField(_("công việc"), max_length=100, unique=True)
    at = models.DateTimeField(_("lần chạy gần nhất"))
    detail = models.JSONField(_("kết quả"), default=dict, blank=True)

    class Meta:
        verbose_name = _("nhịp chạy định kỳ")
        verbose_name_plural = _("nhịp chạy định kỳ")

    def __str__(self):
        return f"{self.name} @ {self.at:%Y-%m-%d %H:%M:%S}"
