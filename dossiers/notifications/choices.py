"""Choices shared by the dossier model and the notification models (no model imports)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a message tells the applicant; one per kind of history event that warrants it."""

    RECEIPT = "receipt", _("Tiếp nhận hồ sơ")
    SUPPLEMENT = "supplement", _("Yêu cầu bổ sung hồ sơ")
    FEE = "fee", _("Yêu cầu nộp phí, lệ phí")
    APOLOGY = "apology", _("Xin lỗi và hẹn lại")
    REFUSAL = "refusal", _("Từ chối")
    RESULT = "result", _("Đã có kết quả")


class MsgChannel(models.TextChoices):
    SMS = "sms", _("Tin nhắn SMS")
    EMAIL = "email", _("Thư điện tử")


class NotifyChoice(models.TextChoices):
    """The applicant's choice at intake: which messages they accept (they may decline)."""

    ALL = "all", _("Nhận tin nhắn SMS và thư điện tử")
    SMS = "sms", _("Chỉ nhận tin nhắn SMS")
    EMAIL = "email", _("Chỉ nhận thư điện tử")
    NONE = "none", _("Không nhận thông báo")
