"""Statistics tables, annual indices, targets and training records.

The statistics tables are derived data: `services.stats_full_recompute` rebuilds any period
from the dossiers, and `services.stats_refresh_dossier` rebuilds only the cells one dossier
touches. Pages read these tables and never aggregate dossiers per request.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from procedures.models import Agency, Field, Procedure


class MonthlyStat(models.Model):
    """One cell: receiving agency × field × procedure × calendar month (Hanoi time).

    Definitions (documented on the pages too, see indicators/README in services.py):
    - received_*: dossiers accepted (received_at) in the month, by channel;
    - carried_over: accepted before the month and still open at its first instant;
    - settled_*: result ready (result_ready_at) in the month, by timeliness;
    - refused / withdrawn: closed (closed_at) in the month with that status;
    - open_not_due / open_overdue: open at the month's end (for the current month: now),
      overdue when due_at is before that instant;
    - synced: dossiers received in the month whose sync to DVCQG succeeded;
    - rating_1..5: ratings given in the month, by overall level.
    """

    # Derived data, rebuilt in bulk: no foreign-key triggers and no single-column indexes
    # (the unique constraint leads with agency, the two indexes below with procedure and
    # field), so a full recompute inserts without 3 checks and 3 index updates per row.
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    field = models.ForeignKey(
        Field, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    month = models.DateField(_("tháng"))  # first day of the month

    received = models.PositiveIntegerField(_("tiếp nhận"), default=0)
    received_desk = models.PositiveIntegerField(default=0)
    received_post = models.PositiveIntegerField(default=0)
    received_online = models.PositiveIntegerField(default=0)
    received_dvcqg = models.PositiveIntegerField(default=0)
    carried_over = models.PositiveIntegerField(_("kỳ trước chuyển sang"), default=0)
    settled_early = models.PositiveIntegerField(_("giải quyết trước hạn"), default=0)
    settled_on_time = models.PositiveIntegerField(_("giải quyết đúng hạn"), default=0)
    settled_late = models.PositiveIntegerField(_("giải quyết quá hạn"), default=0)
    refused = models.PositiveIntegerField(_("từ chối giải quyết"), default=0)
    withdrawn = models.PositiveIntegerField(_("công dân rút"), default=0)
    open_not_due = models.PositiveIntegerField(_("đang giải quyết, chưa đến hạn"), default=0)
    open_overdue = models.PositiveIntegerField(_("đang giải quyết, quá hạn"), default=0)
    synced = models.PositiveIntegerField(_("đã đồng bộ DVCQG"), default=0)
    rating_1 = models.PositiveIntegerField(default=0)
    rating_2 = models.PositiveIntegerField(default=0)
    rating_3 = models.PositiveIntegerField(default=0)
    rating_4 = models.PositiveIntegerField(default=0)
    rating_5 = models.PositiveIntegerField(default=0)
    # Decision 766/QĐ-TTg online work, over the dossiers received in the month (whatever
    # became of them; dossiers.figures.online_metrics counts the same from the dossiers):
    # received with a code / of them with a stored document; with a result / of them with
    # an electronic result; fee paid / of them paid online. Flows by receipt month, kept
    # live (not restated: a result or payment comes after the month closes by design).
    intake_total = models.PositiveIntegerField(default=0)
    intake_digitised = models.PositiveIntegerField(default=0)
    result_total = models.PositiveIntegerField(default=0)
    result_digitised = models.PositiveIntegerField(default=0)
    fee_paid = models.PositiveIntegerField(default=0)
    fee_paid_online = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now=True)

    COUNT_FIELDS = (
        "received",
        "received_desk",
        "received_post",
        "received_online",
        "received_dvcqg",
        "carried_over",
        "settled_early",
        "settled_on_time",
        "settled_late",
        "refused",
        "withdrawn",
        "open_not_due",
        "open_overdue",
        "synced",
        "rating_1",
        "rating_2",
        "rating_3",
        "rating_4",
        "rating_5",
    )
    # The 766 online figures: summed into the roll-ups like the counts above, but neither
    # published in the disclosure nor restated (see the fields).
    ONLINE_FIELDS = (
        "intake_total",
        "intake_digitised",
        "result_total",
        "result_digitised",
        "fee_paid",
        "fee_paid_online",
    )
    ALL_COUNTS = COUNT_FIELDS + ONLINE_FIELDS

    class Meta:
        verbose_name = _("thống kê tháng")
        verbose_name_plural = _("thống kê tháng")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "procedure", "field", "month"], name="monthly_stat_cell"
            )
        ]
        indexes = [
            models.Index(fields=["month", "agency"], name="monthly_stat_month_agency"),
            models.Index(fields=["procedure", "month"], name="monthly_stat_procedure"),
            models.Index(fields=["field", "month"], name="monthly_stat_field"),
        ]


class TransferMonthlyStat(models.Model):
    """Inter-agency hand-offs returned in a month, by the agency that had the sub-deadline."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("tháng"))
    early = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "month"], name="transfer_stat_cell")
        ]


class StatsWatermark(models.Model):
    """How far the lost-kick sweep has read dossier changes (one row per name)."""

    name = models.CharField(max_length=40, unique=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    rating_id = models.BigIntegerField(default=0)
    transfer_id = models.BigIntegerField(default=0)
    # Files change the 766 digitisation counts but not the dossier row (no kick, no
    # updated_at), so the sweep reads new files by id.
    file_id = models.BigIntegerField(default=0)


class AnnualIndex(models.Model):
    """A published yearly index of the city: PAR INDEX, SIPAS or PAPI."""

    class Kind(models.TextChoices):
        PAR = "par", _("PAR INDEX (Chỉ số cải cách hành chính)")
        SIPAS = "sipas", _("SIPAS (Chỉ số hài lòng về sự phục vụ hành chính)")
        PAPI = "papi", _("PAPI (Chỉ số hiệu quả quản trị và hành chính công cấp tỉnh)")

    kind = models.CharField(_("chỉ số"), max_length=8, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("năm"))
    total = models.DecimalField(_("tổng điểm"), max_digits=7, decimal_places=2, null=True)
    # PAR and SIPAS are percentages of 100; PAPI totals 8–80.
    total_max = models.DecimalField(_("điểm tối đa"), max_digits=7, decimal_places=2, default=100)
    rank = models.PositiveSmallIntegerField(_("xếp hạng (trên 63)"), null=True, blank=True)
    source = models.CharField(_("nguồn"), max_length=500, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("chỉ số năm")
        verbose_name_plural = _("chỉ số năm (PAR INDEX, SIPAS, PAPI)")
        ordering = ["kind", "year"]
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="annual_index_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"


class AnnualIndexComponent(models.Model):
    """A component area (PAR), element (SIPAS) or dimension (PAPI) of an annual index."""

    index = models.ForeignKey(AnnualIndex, on_delete=models.CASCADE, related_name="components")
    code = models.CharField(_("mã thành phần"), max_length=40)
    name = models.CharField(_("tên thành phần"), max_length=255)
    value = models.DecimalField(_("điểm"), max_digits=7, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(
        _("điểm tối đa"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("thành phần chỉ số")
        verbose_name_plural = _("thành phần chỉ số")
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["index", "code"], name="annual_component_once")
        ]

    def __str__(self) -> str:
        return self.name


class InternalParScore(models.Model):
    """Hanoi's own PAR index of its departments and district/commune units (plan 2021–2025)."""

    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan, đơn vị"), on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField(_("năm"))
    score = models.DecimalField(_("điểm (%)"), max_digits=5, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("xếp hạng trong khối"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("chỉ số CCHC nội bộ")
        verbose_name_plural = _("chỉ số CCHC nội bộ của Thành phố")
        ordering = ["-year", "rank"]
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="internal_par_once")]


class Target(models.Model):
    """A plan's target for a year range (2021 plan: satisfaction ≥ 85 %, on time ≥ 99 %…)."""

    class Metric(models.TextChoices):
        SATISFACTION = "satisfaction_rate", _("Mức độ hài lòng của người dân, doanh nghiệp")
        ON_TIME = "on_time_rate", _("Hồ sơ giải quyết đúng hạn, trước hạn")
        DVCQG_INTEGRATION = (
            "dvcqg_integration",
            _("Thủ tục trực tuyến mức 3, 4 tích hợp Cổng DVCQG"),
        )
        COMMUNE_TRAINED = "commune_trained", _("Cán bộ cấp xã được tập huấn PAR INDEX, SIPAS, PAPI")
        ONLINE_RATE = "online_rate", _("Hồ sơ tiếp nhận trực tuyến")
        DVCQG_SYNC = "dvcqg_sync", _("Hồ sơ đồng bộ lên Cổng DVCQG")

    metric = models.CharField(_("chỉ tiêu"), max_length=30, choices=Metric.choices)
    year_from = models.PositiveSmallIntegerField(_("từ năm"))
    year_to = models.PositiveSmallIntegerField(_("đến năm"), null=True, blank=True)
    value = models.DecimalField(_("mức (%)"), max_digits=5, decimal_places=2)
    source = models.CharField(_("văn bản"), max_length=255, blank=True)
    # Empty: the city-wide target; set: an agency's own target, which replaces the city's
    # on that agency's pages for the years it covers.
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan, đơn vị"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("chỉ tiêu kế hoạch")
        verbose_name_plural = _("chỉ tiêu kế hoạch")
        ordering = ["metric", "year_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "year_from"],
                condition=models.Q(agency__isnull=True),
                name="target_once",
            ),
            models.UniqueConstraint(
                fields=["metric", "year_from", "agency"],
                condition=models.Q(agency__isnull=False),
                name="agency_target_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} ≥ {self.value}% ({self.year_from})"


class TrainingRecord(models.Model):
    """An official's attendance at a training course on the indices."""

    class Topic(models.TextChoices):
        PAR = "par", _("PAR INDEX")
        SIPAS = "sipas", _("SIPAS")
        PAPI = "papi", _("PAPI")

    official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ"),
        on_delete=models.CASCADE,
        related_name="index_trainings",
    )
    course = models.CharField(_("khóa tập huấn"), max_length=255)
    date = models.DateField(_("ngày"))
    topic = models.CharField(_("chủ đề"), max_length=8, choices=Topic.choices)

    class Meta:
        verbose_name = _("tập huấn")
        verbose_name_plural = _("tập huấn PAR INDEX, SIPAS, PAPI")
        ordering = ["-date"]


class ScoreGroup(models.Model):
    """A group of the Decision 766/QĐ-TTg (2022) scorecard, with its weight (points)."""

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(_("nhóm chỉ số"), max_length=255)
    weight = models.DecimalField(_("điểm tối đa"), max_digits=5, decimal_places=2)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("nhóm chỉ số QĐ 766")
        verbose_name_plural = _("nhóm chỉ số QĐ 766")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class ScoreIndicator(models.Model):
    """A sub-indicator; `metric` names how we compute it, empty = not computable yet."""

    group = models.ForeignKey(ScoreGroup, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(_("chỉ số thành phần"), max_length=500)
    points = models.DecimalField(_("điểm tối đa"), max_digits=5, decimal_places=2)
    # A key of indicators.scores.METRICS, or "" when our data cannot compute it yet.
    metric = models.CharField(max_length=40, blank=True)
    # The rate (in %) that earns full points; points scale linearly below it.
    full_at = models.DecimalField(max_digits=5, decimal_places=2, default=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("chỉ số thành phần QĐ 766")
        verbose_name_plural = _("chỉ số thành phần QĐ 766")
        ordering = ["group__order", "order"]

    def __str__(self) -> str:
        return self.name


class RollupCounts(models.Model):
    """The counts of a roll-up row: the same figures as MonthlyStat, summed over its cells.

    `published` rows are the frozen snapshot of a closed month (indicators.closing); the
    recomputes only ever write the live rows (published = False).
    """

    month = models.DateField(_("tháng"))
    published = models.BooleanField(default=False)
    received = models.PositiveIntegerField(default=0)
    received_desk = models.PositiveIntegerField(default=0)
    received_post = models.PositiveIntegerField(default=0)
    received_online = models.PositiveIntegerField(default=0)
    received_dvcqg = models.PositiveIntegerField(default=0)
    carried_over = models.PositiveIntegerField(default=0)
    settled_early = models.PositiveIntegerField(default=0)
    settled_on_time = models.PositiveIntegerField(default=0)
    settled_late = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    open_not_due = models.PositiveIntegerField(default=0)
    open_overdue = models.PositiveIntegerField(default=0)
    synced = models.PositiveIntegerField(default=0)
    rating_1 = models.PositiveIntegerField(default=0)
    rating_2 = models.PositiveIntegerField(default=0)
    rating_3 = models.PositiveIntegerField(default=0)
    rating_4 = models.PositiveIntegerField(default=0)
    rating_5 = models.PositiveIntegerField(default=0)
    intake_total = models.PositiveIntegerField(default=0)
    intake_digitised = models.PositiveIntegerField(default=0)
    result_total = models.PositiveIntegerField(default=0)
    result_digitised = models.PositiveIntegerField(default=0)
    fee_paid = models.PositiveIntegerField(default=0)
    fee_paid_online = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        abstract = True


class AgencyMonthStat(RollupCounts):
    """Roll-up: one agency × month (≈ 200 rows a month, whatever the number of dossiers)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("thống kê cơ quan theo tháng")
        verbose_name_plural = _("thống kê cơ quan theo tháng")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "published", "agency"], name="agency_month_stat_once"
            )
        ]


class FieldMonthStat(RollupCounts):
    """Roll-up: one lĩnh vực (field) × month."""

    field = models.ForeignKey(Field, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("thống kê lĩnh vực theo tháng")
        verbose_name_plural = _("thống kê lĩnh vực theo tháng")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "published", "field"], name="field_month_stat_once"
            )
        ]


class ProcedureMonthStat(RollupCounts):
    """Roll-up: one procedure × month (the city's "most requested procedures" table)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("thống kê thủ tục theo tháng")
        verbose_name_plural = _("thống kê thủ tục theo tháng")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "published", "procedure"], name="procedure_month_stat_once"
            )
        ]
        indexes = [models.Index(fields=["procedure", "month"], name="procedure_month_stat_proc")]


class CityMonthStat(RollupCounts):
    """Roll-up: the whole city × month."""

    class Meta:
        verbose_name = _("thống kê toàn thành phố theo tháng")
        verbose_name_plural = _("thống kê toàn thành phố theo tháng")
        constraints = [
            models.UniqueConstraint(fields=["month", "published"], name="city_month_stat_once")
        ]


class MonthClose(models.Model):
    """A closed month: its figures were snapshotted (roll-up rows with published = True).

    Months close in order (closing one closes every earlier open month), automatically a
    configurable number of working days after the month's end (STATS_CLOSE_AFTER_WORKING_DAYS)
    or by an administrator.
    """

    month = models.DateField(_("tháng"), unique=True)
    closed_at = models.DateTimeField(_("khóa sổ lúc"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người khóa sổ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    automatic = models.BooleanField(_("tự động"), default=False)

    class Meta:
        verbose_name = _("tháng đã khóa sổ")
        verbose_name_plural = _("tháng đã khóa sổ")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y}"


class Restatement(models.Model):
    """A published figure of a closed month that a later change would alter.

    The published figure stays as published; the restatement says which figure, the
    published (or previously restated) value and the new one, and what caused it.
    """

    class Dimension(models.TextChoices):
        CITY = "city", _("Toàn Thành phố")
        AGENCY = "agency", _("Cơ quan, đơn vị")
        FIELD = "field", _("Lĩnh vực")

    month = models.DateField(_("tháng"))
    dimension = models.CharField(max_length=8, choices=Dimension.choices)
    key = models.PositiveIntegerField(default=0)  # agency or field id; 0 for the city
    figure = models.CharField(_("chỉ tiêu"), max_length=30)
    old_value = models.IntegerField(_("số đã công bố"))
    new_value = models.IntegerField(_("số mới"))
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("thao tác gây thay đổi"), max_length=64, blank=True)
    event_id = models.BigIntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField(_("ghi nhận lúc"))

    class Meta:
        verbose_name = _("đính chính số liệu")
        verbose_name_plural = _("đính chính số liệu đã công bố")
        ordering = ["month", "dimension", "key", "figure", "recorded_at", "id"]
        indexes = [models.Index(fields=["month", "dimension", "key"], name="restatement_cell")]


class TrainingRosterEntry(models.Model):
    """A commune-level official who must be trained on PAR INDEX, SIPAS and PAPI.

    The 2021 plan's target is 100 % of commune officials trained: this roster (imported
    from the communes' lists, indicators.roster) is the denominator, not portal accounts.
    """

    agency = models.ForeignKey(
        Agency, verbose_name=_("UBND cấp xã"), on_delete=models.CASCADE, related_name="+"
    )
    full_name = models.CharField(_("họ và tên"), max_length=255)
    id_number = models.CharField(_("số định danh / CCCD"), max_length=20, blank=True)
    position = models.CharField(_("chức vụ"), max_length=255, blank=True)
    trained_on = models.DateField(_("ngày tập huấn"), null=True, blank=True)
    imported_at = models.DateTimeField(_("nhập lúc"))

    class Meta:
        verbose_name = _("cán bộ cấp xã phải tập huấn")
        verbose_name_plural = _("danh sách cán bộ cấp xã phải tập huấn")
        ordering = ["agency__name", "full_name"]
        indexes = [models.Index(fields=["agency", "trained_on"], name="roster_agency_trained")]
