"""Dossiers (hồ sơ), their immutable history, and the working calendar overrides."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from procedures.models import Agency, Channel, Procedure, TimeUnit

from .notifications.choices import NotifyChoice
from .workflow import WORKLIST_STATUSES, Status, Timeliness

# Demo dossiers (make run) carry applicant e-mails in this reserved domain (RFC 2606: .invalid
# never resolves), so no real dossier can be taken for one.
DEMO_EMAIL_SUFFIX = "@vidu.invalid"


class CalendarDay(models.Model):
    """An administrator's correction of the public-sector calendar for one date.

    The `holidays` package gives the default days off and make-up Saturdays; a row here wins
    over it: DAY_OFF adds a day off, WORKING_DAY makes a date a working day (a make-up
    Saturday, or a library holiday that the year's decision did not grant).
    """

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Ngày nghỉ")
        WORKING_DAY = "working_day", _("Ngày làm việc (làm bù)")

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("tên ngày"), max_length=255, blank=True)
    decision = models.CharField(_("văn bản quyết định"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ngày điều chỉnh lịch làm việc")
        verbose_name_plural = _("lịch làm việc: ngày điều chỉnh")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} – {self.get_kind_display()}"


class DossierSequence(models.Model):
    """The last sequence number used by an agency on a day (Circular 01/2018 art. 19).

    Incremented under a row lock inside the intake transaction: a rolled-back intake rolls
    its number back too, so numbers are unique and gapless.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="dossier_sequence_unique")
        ]


class Dossier(models.Model):
    """One application by one applicant, from intake to the returned result."""

    class ApplicantKind(models.TextChoices):
        PERSON = "person", _("Cá nhân")
        ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")

    class SyncState(models.TextChoices):
        NOT_REQUIRED = "not_required", _("Không đồng bộ")
        PENDING = "pending", _("Chờ đồng bộ")
        SYNCED = "synced", _("Đã đồng bộ")
        FAILED = "failed", _("Lỗi đồng bộ")

    # <agency identifier>-YYMMDD-XXXX; empty until the dossier is accepted.
    code = models.CharField(_("mã hồ sơ"), max_length=60, unique=True, null=True, blank=True)
    sequence_day = models.DateField(null=True, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="dossiers"
    )
    # Denormalised from procedure for statistics and filters without a join.
    field = models.ForeignKey(
        "procedures.Field", verbose_name=_("lĩnh vực"), on_delete=models.PROTECT
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan tiếp nhận"),
        on_delete=models.PROTECT,
        related_name="received_dossiers",
    )
    # Where the dossier is now (differs from agency while transferred).
    current_agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan đang xử lý"),
        on_delete=models.PROTECT,
        related_name="current_dossiers",
    )
    channel = models.CharField(_("kênh nộp"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("trạng thái"), max_length=24, choices=Status.choices)

    applicant_kind = models.CharField(
        _("loại người nộp"),
        max_length=12,
        choices=ApplicantKind.choices,
        default=ApplicantKind.PERSON,
    )
    applicant_name = models.CharField(_("người nộp"), max_length=255)
    applicant_id_number = models.CharField(_("số định danh / CCCD"), max_length=20, blank=True)
    applicant_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    # The applicant may decline messages (issue 13); intake defaults to both channels.
    applicant_notify = models.CharField(
        _("nhận thông báo"), max_length=8, choices=NotifyChoice.choices, default=NotifyChoice.ALL
    )
    # The officials' search box (dossiers.worklist_search): folded name, reversed code tail
    # and digits. Written with the applicant and the code; NULL only on rows older than the
    # columns until `manage.py backfill_dossier_search` has run.
    search_name = models.CharField(max_length=255, null=True, blank=True, editable=False)
    search_code_rev = models.CharField(max_length=40, null=True, blank=True, editable=False)
    search_phone_rev = models.CharField(max_length=20, null=True, blank=True, editable=False)
    search_id_rev = models.CharField(max_length=20, null=True, blank=True, editable=False)
    # The ticked documents: [{"name": ..., "form": ..., "copies": n}].
    documents = models.JSONField(_("giấy tờ đã nộp"), default=list, blank=True)

    submitted_at = models.DateTimeField(_("thời điểm nộp"))
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"), null=True, blank=True)
    # When the legal period started counting (after the cut-off rule, or a restart).
    clock_started_at = models.DateTimeField(null=True, blank=True)
    # Limit applied, copied from the procedure at intake so later catalogue edits don't
    # move deadlines of dossiers already received.
    limit_value = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    limit_unit = models.CharField(max_length=20, choices=TimeUnit.choices, blank=True)
    # The catalogue's case (trường hợp) whose limit the desk chose at intake; "" = default.
    limit_case = models.CharField(_("trường hợp"), max_length=255, blank=True)
    # Internal processing: the specialist the leader assigned, and the leader's sign-off of
    # the result where the procedure needs the leader's decision.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chuyên viên được giao"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_dossiers",
    )
    signed_off_at = models.DateTimeField(_("lãnh đạo phê duyệt lúc"), null=True, blank=True)
    due_at = models.DateTimeField(_("hạn trả kết quả"), null=True, blank=True)
    # The engine's explanation of due_at: rule applied, days skipped and why.
    due_explanation = models.JSONField(default=dict, blank=True)
    # Set once by an apology (form 04); it is the due time timeliness is judged against.
    extended = models.BooleanField(default=False)
    # Pause rule only: when the clock stopped, and working time already used.
    paused_at = models.DateTimeField(null=True, blank=True)
    result_ready_at = models.DateTimeField(_("có kết quả lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    timeliness = models.CharField(
        _("tiến độ"), max_length=10, choices=Timeliness.choices, blank=True, default=""
    )
    fee_amount = models.DecimalField(max_digits=14, decimal_places=0, null=True, blank=True)
    fee_paid_at = models.DateTimeField(null=True, blank=True)
    sync_state = models.CharField(
        _("đồng bộ DVCQG"),
        max_length=14,
        choices=SyncState.choices,
        default=SyncState.PENDING,
    )
    synced_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "sequence_day", "sequence"],
                condition=Q(sequence__isnull=False),
                name="dossier_sequence_per_agency_day",
            ),
        ]
        indexes = [
            # The worklist: an agency's open dossiers by due time.
            models.Index(fields=["current_agency", "status", "due_at"], name="dossier_worklist"),
            models.Index(fields=["agency", "received_at"], name="dossier_agency_received"),
            # Partial indexes of the worklist (selectors.worklist): only dossiers still to act
            # on, a few per cent of millions, found by receiving or current agency.
            models.Index(
                fields=["agency", "due_at"],
                condition=Q(status__in=sorted(WORKLIST_STATUSES)),
                name="dossier_open_by_agency",
            ),
            models.Index(
                fields=["current_agency", "due_at"],
                condition=Q(status__in=sorted(WORKLIST_STATUSES)),
                name="dossier_open_by_current",
            ),
        ]

    def __str__(self) -> str:
        return self.code or f"#{self.pk}"

    @property
    def is_overdue(self) -> bool:
        """Open, clock running and past due now (dossiers.rules.is_overdue)."""
        from .rules import is_overdue

        return is_overdue(self)


class DossierEvent(models.Model):
    """An immutable history row: who did what, when, from which status to which."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("thời điểm"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    # The agency the actor acted for (form 05 lists each hand-off by agency).
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT)
    action = models.CharField(_("thao tác"), max_length=32)
    from_status = models.CharField(max_length=24, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=Status.choices, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    due_before = models.DateTimeField(null=True, blank=True)
    due_after = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("lịch sử xử lý")
        verbose_name_plural = _("lịch sử xử lý")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["dossier", "at"], name="event_dossier_at")]


class SupplementRequest(models.Model):
    """Form 02: what is missing, told once and fully."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="supplements")
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    content = models.TextField(_("nội dung yêu cầu bổ sung"))
    at_intake = models.BooleanField(default=False)
    received_at = models.DateTimeField(null=True, blank=True)


class Transfer(models.Model):
    """An inter-agency hand-off with its own sub-deadline (một cửa liên thông)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="transfers")
    from_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    limit_value = models.DecimalField(max_digits=6, decimal_places=1)
    limit_unit = models.CharField(max_length=20, choices=TimeUnit.choices)
    due_at = models.DateTimeField()
    returned_at = models.DateTimeField(null=True, blank=True)
    timeliness = models.CharField(max_length=10, choices=Timeliness.choices, blank=True)
    note = models.TextField(blank=True)


class Apology(models.Model):
    """Form 04: apology with a new appointment. At most one per dossier (OneToOne)."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="apology")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("lý do"))
    old_due_at = models.DateTimeField()
    new_due_at = models.DateTimeField()


class Rating(models.Model):
    """The applicant's one rating of a returned dossier (Decree 61/2018 art. 31)."""

    LEVELS = [
        (1, _("Rất không hài lòng")),
        (2, _("Không hài lòng")),
        (3, _("Bình thường")),
        (4, _("Hài lòng")),
        (5, _("Rất hài lòng")),
    ]
    level_validators = [MinValueValidator(1), MaxValueValidator(5)]

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating")
    created_at = models.DateTimeField()
    time = models.PositiveSmallIntegerField(_("thời gian giải quyết"), choices=LEVELS)
    contacts = models.PositiveSmallIntegerField(_("số lần đi lại"), choices=LEVELS)
    information = models.PositiveSmallIntegerField(_("thông tin, hướng dẫn"), choices=LEVELS)
    attitude = models.PositiveSmallIntegerField(_("thái độ cán bộ"), choices=LEVELS)
    result = models.PositiveSmallIntegerField(_("kết quả giải quyết"), choices=LEVELS)
    overall = models.PositiveSmallIntegerField(_("đánh giá chung"), choices=LEVELS)
    comment = models.TextField(_("góp ý"), blank=True)


class OutboxMessage(models.Model):
    """A side effect that must not be lost: written in the same transaction as the change.

    Delivered to DVCQG by a Celery task, in order per dossier, de-duplicated by dedup_key.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="outbox")
    event = models.OneToOneField(
        DossierEvent, null=True, on_delete=models.CASCADE, related_name="outbox"
    )
    kind = models.CharField(max_length=20)  # create | update
    payload = models.JSONField()
    dedup_key = models.CharField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Demo data (make run): history that never happened at DVCQG. Never sent, never counted
    # as delivered; the sweep and the per-dossier delivery skip it.
    demo = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(
                fields=["dossier", "id"],
                condition=Q(delivered_at__isnull=True),
                name="outbox_pending",
            )
        ]


class IdempotencyRecord(models.Model):
    """The first response to a request carrying an Idempotency-Key."""

    key = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique")]


# Messages to applicants and officials' digests (issue 13) are models of this app too.
from .models_online import DossierFile, OnlineSubmission, Payment  # noqa: E402, F401
from .notifications.models import MessageTemplate, Notification, ReminderDigest  # noqa: E402,F401
