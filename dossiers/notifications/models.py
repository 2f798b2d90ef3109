"""Messages to applicants (SMS, e-mail), their editable templates, and officials' digests.

Imported at the end of dossiers/models.py, so these are models of the dossiers app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import Kind, MsgChannel


class MessageTemplate(models.Model):
    """The text of one kind of message on one channel, editable by an administrator.

    Placeholders are written {name} (see dossiers.notifications.render.PLACEHOLDERS); the
    Vietnamese defaults are seeded by a data migration.
    """

    kind = models.CharField(_("loại thông báo"), max_length=16, choices=Kind.choices)
    channel = models.CharField(_("kênh"), max_length=8, choices=MsgChannel.choices)
    subject = models.CharField(_("tiêu đề thư"), max_length=255, blank=True)
    body = models.TextField(_("nội dung"))
    active = models.BooleanField(_("đang dùng"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mẫu thông báo")
        verbose_name_plural = _("mẫu thông báo cho người nộp")
        ordering = ["kind", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "channel"], name="message_template_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.get_channel_display()}"


class Notification(models.Model):
    """One message to the applicant: an outbox row written with the change it reports.

    Delivered by dossiers.notifications.delivery, in order per dossier and channel, with
    retries and back-off; at most one per event and channel (unique), so no message is
    written twice however often the event is looked at.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi không thành công")
        INVALID = "invalid", _("Không gửi: địa chỉ nhận không hợp lệ")

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.ForeignKey(
        "dossiers.DossierEvent", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("loại thông báo"), max_length=16, choices=Kind.choices)
    channel = models.CharField(_("kênh"), max_length=8, choices=MsgChannel.choices)
    recipient = models.CharField(_("người nhận"), max_length=254)
    subject = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    body = models.TextField(_("nội dung"))
    state = models.CharField(
        _("trạng thái gửi"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveIntegerField(_("số lần gửi"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    last_error = models.TextField(_("lỗi"), blank=True)

    class Meta:
        verbose_name = _("thông báo đã gửi")
        verbose_name_plural = _("thông báo cho người nộp")
        constraints = [
            models.UniqueConstraint(fields=["event", "channel"], name="notification_once")
        ]
        indexes = [
            # The sweep and each delivery look only at what is still to send.
            models.Index(
                fields=["dossier", "channel", "id"],
                condition=Q(state="pending"),
                name="notification_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"

    @property
    def dedup_key(self) -> str:
        """Sent with the SMS so a gateway that de-duplicates drops a repeated POST."""
        return f"cchc-notify-{self.pk}"


class ReminderDigest(models.Model):
    """The morning digest of one official for one working day (e-mail and worklist banner).

    Unique per user and day: running the morning job twice sends nothing twice.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_digests"
    )
    day = models.DateField(_("ngày"))
    due_soon = models.PositiveIntegerField(_("sắp đến hạn"), default=0)
    overdue = models.PositiveIntegerField(_("quá hạn"), default=0)
    # [{"id", "code", "procedure", "due_at", "overdue"}] of the dossiers listed, capped.
    items = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("nhắc việc hằng ngày")
        verbose_name_plural = _("nhắc việc hằng ngày")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="reminder_digest_once")]
