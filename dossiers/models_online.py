"""Online submission, uploaded files and online fee payments of a dossier (issue 13).

Imported at the end of dossiers.models so Django finds the models; the rules that use them
live in dossiers.documents (files), dossiers.applicant (the citizen's access) and
dossiers.payments (PayGov-style payments).
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procedures.models import RequiredDocument

from .models import Dossier


def dossier_file_storage():
    """The private storage of dossier files (settings.STORAGES["dossier_files"]).

    A callable so that the migration does not freeze a storage, and tests or deployments
    can switch to S3-compatible storage through settings alone.
    """
    return storages["dossier_files"]


def dossier_file_path(instance: DossierFile, filename: str) -> str:
    # Never the applicant's file name: it is kept in original_name, not in the path.
    now = timezone.now()
    return f"dossiers/{now:%Y/%m}/{uuid.uuid4().hex}{instance.extension}"


def new_reference(prefix: str) -> str:
    # 10 characters from an alphabet without look-alikes (0/O, 1/I): read out on the phone.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(10))


class OnlineSubmission(models.Model):
    """The reference a citizen gets when submitting online, before the desk gives a code."""

    dossier = models.OneToOneField(
        Dossier, on_delete=models.CASCADE, related_name="online_submission"
    )
    reference = models.CharField(_("mã nộp trực tuyến"), max_length=20, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("hồ sơ nộp trực tuyến")
        verbose_name_plural = _("hồ sơ nộp trực tuyến")

    def __str__(self) -> str:
        return self.reference


class DossierFile(models.Model):
    """One stored file of a dossier: an applicant's document, a desk scan or the result."""

    class Kind(models.TextChoices):
        APPLICANT = "applicant", _("Giấy tờ người nộp gửi trực tuyến")
        SUPPLEMENT = "supplement", _("Giấy tờ bổ sung")
        SCAN = "scan", _("Bản số hóa giấy tờ nộp trực tiếp")
        RESULT = "result", _("Kết quả điện tử")

    EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    required_document = models.ForeignKey(
        RequiredDocument,
        verbose_name=_("thành phần hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The document's name when it was uploaded (the catalogue may be edited later).
    title = models.CharField(_("tên giấy tờ"), max_length=500)
    file = models.FileField(
        storage=dossier_file_storage, upload_to=dossier_file_path, max_length=255
    )
    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("tải lên lúc"))
    # None: the applicant (verified by code + secret) or the system.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("tệp hồ sơ")
        verbose_name_plural = _("tệp hồ sơ")
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["dossier", "kind"], name="dossier_file_kind")]

    def __str__(self) -> str:
        return self.title

    @property
    def extension(self) -> str:
        return self.EXTENSIONS.get(self.content_type, "")


class Payment(models.Model):
    """A fee the applicant is asked to pay, and how it was paid (PayGov or at the desk)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ thanh toán")
        PAID = "paid", _("Đã thanh toán")
        CANCELLED = "cancelled", _("Đã hủy")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="payments")
    reference = models.CharField(_("mã thanh toán"), max_length=20, unique=True)
    amount = models.DecimalField(_("số tiền (đồng)"), max_digits=14, decimal_places=0)
    purpose = models.CharField(_("nội dung"), max_length=255)
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=State.choices, default=State.PENDING
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    # The gateway's transaction id; unique so one transaction never pays twice.
    gateway_txn = models.CharField(max_length=64, null=True, blank=True, unique=True)
    gateway_data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("thanh toán phí, lệ phí")
        verbose_name_plural = _("thanh toán phí, lệ phí")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"],
                condition=Q(state="pending"),
                name="payment_one_pending_per_dossier",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.reference
