"""Agencies, the people who work in them, and the catalogue of administrative procedures."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

# National procedure code, e.g. 1.000178 (DOMAIN §4).
NATIONAL_CODE_RE = r"^\d\.\d{6}$"
national_code_validator = RegexValidator(
    NATIONAL_CODE_RE, _("Mã thủ tục phải có dạng 1.000178 (một chữ số, dấu chấm, sáu chữ số).")
)


class Agency(models.Model):
    """A receiving or competent body: department, district, commune, service centre."""

    class Level(models.TextChoices):
        CITY = "city", _("UBND Thành phố")
        DEPARTMENT = "department", _("Sở, ban, ngành")
        DISTRICT = "district", _("Cấp huyện")
        COMMUNE = "commune", _("Cấp xã")
        SERVICE_CENTER = "service_center", _("Trung tâm Phục vụ hành chính công")

    class UnitType(models.TextChoices):
        NONE = "", _("—")
        URBAN_DISTRICT = "quan", _("Quận")
        RURAL_DISTRICT = "huyen", _("Huyện")
        TOWN = "thi_xa", _("Thị xã")
        WARD = "phuong", _("Phường")
        COMMUNE = "xa", _("Xã")
        TOWNSHIP = "thi_tran", _("Thị trấn")

    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên ngắn"), max_length=120, blank=True)
    level = models.CharField(_("cấp"), max_length=20, choices=Level.choices, db_index=True)
    unit_type = models.CharField(
        _("loại đơn vị"), max_length=10, choices=UnitType.choices, blank=True, default=""
    )
    # Mã định danh, used as the prefix of dossier codes (Circular 01/2018 art. 19).
    identifier_code = models.CharField(_("mã định danh"), max_length=40, unique=True)
    # Statistics office (GSO) administrative-unit code; Hanoi province is 01.
    gso_code = models.CharField(_("mã thống kê"), max_length=10, blank=True, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị kế thừa"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=40, blank=True)
    # Office hours and intake cut-off, per agency (DOMAIN §6); defaults are the common ones.
    morning_start = models.TimeField(_("sáng từ"), default="08:00")
    morning_end = models.TimeField(_("sáng đến"), default="12:00")
    afternoon_start = models.TimeField(_("chiều từ"), default="13:00")
    afternoon_end = models.TimeField(_("chiều đến"), default="17:00")
    receipt_cutoff = models.TimeField(
        _("giờ tiếp nhận tính sang ngày sau"),
        null=True,
        blank=True,
        help_text=_("Để trống để dùng mặc định của hệ thống (15:00)."),
    )
    # Mergers and boundary changes (valid_to, successor) must say who changed them and when.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")
        ordering = ["level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="agency_valid_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class Membership(models.Model):
    """An official's role in an agency. Inspectors have no agency: they read the whole city."""

    class Role(models.TextChoices):
        INSPECTOR = "inspector", _("Thanh tra, giám sát cấp Thành phố")
        LEADER = "leader", _("Lãnh đạo cơ quan")
        DESK = "desk", _("Cán bộ Một cửa")
        SPECIALIST = "specialist", _("Chuyên viên xử lý")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    # Granting or removing a role is a security event: keep who did it and when.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phân quyền cán bộ")
        verbose_name_plural = _("phân quyền cán bộ")
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(role="inspector") | Q(agency__isnull=False),
                name="membership_agency_required",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.agency or _('Toàn Thành phố')}"


class Field(models.Model):
    """Lĩnh vực: the sector a procedure belongs to."""

    code = models.CharField(_("mã lĩnh vực"), max_length=40, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=255)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("ngày làm việc")
    CALENDAR_DAYS = "calendar_days", pgettext_lazy("đơn vị thời hạn", "ngày")
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    MONTHS = "months", pgettext_lazy("đơn vị thời hạn", "tháng")


class Channel(models.TextChoices):
    DESK = "desk", _("Trực tiếp tại Bộ phận Một cửa")
    POST = "post", _("Qua dịch vụ bưu chính công ích")
    ONLINE = "online", _("Trực tuyến qua Cổng DVC Thành phố")
    DVCQG = "dvcqg", _("Trực tuyến qua Cổng DVC quốc gia")


class Procedure(models.Model):
    """A TTHC as published in the catalogue."""

    class OnlineMode(models.TextChoices):
        NONE = "none", _("Không trực tuyến")
        PARTIAL = "partial", _("Trực tuyến một phần")
        FULL = "full", _("Trực tuyến toàn trình")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        PUBLISHED = "published", _("Đang công bố")
        ARCHIVED = "archived", _("Đã bãi bỏ")

    national_code = models.CharField(
        _("mã thủ tục"), max_length=20, unique=True, validators=[national_code_validator]
    )
    local_code = models.CharField(_("mã công bố địa phương"), max_length=60, blank=True)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    # Lower-case, diacritics-free copy of name and codes for searching (procedures.search).
    search_text = models.TextField(editable=False, default="")
    field = models.ForeignKey(Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT)
    at_city = models.BooleanField(_("cấp tỉnh"), default=False)
    at_district = models.BooleanField(_("cấp huyện"), default=False)
    at_commune = models.BooleanField(_("cấp xã"), default=False)
    agencies = models.ManyToManyField(
        Agency, verbose_name=_("cơ quan thực hiện"), blank=True, related_name="procedures"
    )
    # The default time limit; ProcedureTimeLimit holds per-channel or per-case variants.
    time_limit_value = models.DecimalField(
        _("thời hạn giải quyết"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(0)],
    )
    time_limit_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=20, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )
    fee = models.DecimalField(
        _("phí, lệ phí (đồng)"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    fee_note = models.CharField(_("ghi chú phí, lệ phí"), max_length=500, blank=True)
    steps = models.TextField(_("trình tự thực hiện"), blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    result_document = models.CharField(_("kết quả thực hiện"), max_length=500, blank=True)
    online_mode = models.CharField(
        _("dịch vụ công trực tuyến"),
        max_length=10,
        choices=OnlineMode.choices,
        default=OnlineMode.NONE,
        db_index=True,
    )
    legacy_level = models.PositiveSmallIntegerField(
        _("mức độ (trước 15/8/2022)"),
        null=True,
        blank=True,
        choices=[(1, "1"), (2, "2"), (3, "3"), (4, "4")],
    )
    dvcqg_integrated = models.BooleanField(_("tích hợp Cổng DVCQG"), default=False, db_index=True)
    dvcqg_integrated_on = models.DateField(_("ngày tích hợp DVCQG"), null=True, blank=True)
    # Decree 61/2018 art. 19: a supplement must be requested within 3 working days of
    # receipt unless the procedure's own law allows longer.
    supplement_request_days = models.PositiveSmallIntegerField(
        _("hạn yêu cầu bổ sung (ngày làm việc)"), default=3
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    # The procedure that replaces this one once it lapses (named when intake is refused).
    successor = models.ForeignKey(
        "self",
        verbose_name=_("thủ tục thay thế"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
    )
    # Whether the result needs the leader's decision (sign-off) before "result ready". On by
    # default: most procedures end with a decision signed by the head of the agency.
    needs_leader_decision = models.BooleanField(_("cần lãnh đạo phê duyệt kết quả"), default=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=Status.choices,
        default=Status.PUBLISHED,
        db_index=True,
    )
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["search_text", "updated_at"])
    # Since when the procedure is offered at its current online mode (level 3/4: partial
    # or full): the DVCQG coverage of a past year counts it only from this date (issue 9).
    online_mode_since = models.DateField(_("trực tuyến từ ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.national_code} – {self.name}"

    def is_valid_on(self, day) -> bool:
        """Whether the procedure is in force on `day` (its valid_from / valid_to)."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class ProcedureTimeLimit(models.Model):
    """A time limit that differs by channel or by case (trường hợp)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="time_limits")
    channel = models.CharField(_("kênh nộp"), max_length=10, choices=Channel.choices, blank=True)
    case = models.CharField(_("trường hợp"), max_length=255, blank=True)
    value = models.DecimalField(_("thời hạn"), max_digits=6, decimal_places=1)
    unit = models.CharField(_("đơn vị"), max_length=20, choices=TimeUnit.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("thời hạn theo trường hợp")
        verbose_name_plural = _("thời hạn theo trường hợp")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "channel", "case"], name="time_limit_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.value} {self.get_unit_display()}"


class RequiredDocument(models.Model):
    """A document in the dossier's composition (thành phần hồ sơ)."""

    class Form(models.TextChoices):
        ORIGINAL = "original", _("Bản chính")
        COPY = "copy", _("Bản sao")
        EITHER = "either", _("Bản chính hoặc bản sao")

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="required_documents"
    )
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    form = models.CharField(_("loại"), max_length=10, choices=Form.choices, default=Form.ORIGINAL)
    copies = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    mandatory = models.BooleanField(_("bắt buộc"), default=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name
