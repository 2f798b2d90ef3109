"""Reference data kept as data: the Decision 766 scorecard and the plan targets.

Weights are those of Decision 766/QĐ-TTg (2022); the split of each group into
sub-indicators is ours [unconfirmed]: an empty metric means "chưa tính được".
Names are marked for translation (gettext_noop) and translated where shown (scores.decision766).
Loaded by migration 0002 and again (idempotently) by `load_indicator_demo`, because a
transactional test or a flushed database loses rows that migrations created.
"""

from decimal import Decimal

from django.utils.translation import gettext_noop

GROUPS = [
    (
        "publicity",
        gettext_noop("Công khai, minh bạch"),
        18,
        [
            (
                "publicity_sync",
                gettext_noop("Tỷ lệ hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia"),
                10,
                "dvcqg_sync_rate",
            ),
            (
                "publicity_catalogue",
                gettext_noop("Công bố, công khai thủ tục hành chính đầy đủ, đúng hạn"),
                8,
                "",
            ),
        ],
    ),
    (
        "progress",
        gettext_noop("Tiến độ giải quyết"),
        20,
        [
            (
                "progress_on_time",
                gettext_noop("Tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn"),
                14,
                "on_time_rate",
            ),
            (
                "progress_not_overdue",
                gettext_noop("Tỷ lệ hồ sơ đang giải quyết chưa quá hạn"),
                6,
                "not_overdue_rate",
            ),
        ],
    ),
    (
        "online",
        gettext_noop("Dịch vụ công trực tuyến"),
        12,
        [
            ("online_dossiers", gettext_noop("Tỷ lệ hồ sơ tiếp nhận trực tuyến"), 6, "online_rate"),
            (
                "online_procedures",
                gettext_noop(
                    "Tỷ lệ thủ tục cung cấp dịch vụ công trực tuyến (toàn trình, một phần)"
                ),
                6,
                "online_procedure_rate",
            ),
        ],
    ),
    (
        "payment",
        gettext_noop("Thanh toán trực tuyến"),
        10,
        [
            (
                "payment_online",
                gettext_noop("Tỷ lệ hồ sơ thanh toán phí, lệ phí trực tuyến"),
                10,
                "",
            ),
        ],
    ),
    (
        "satisfaction",
        gettext_noop("Mức độ hài lòng"),
        18,
        [
            (
                "satisfaction_rate",
                gettext_noop("Tỷ lệ đánh giá hài lòng, rất hài lòng"),
                18,
                "satisfaction_rate",
            ),
        ],
    ),
    (
        "digitisation",
        gettext_noop("Số hóa hồ sơ, kết quả"),
        22,
        [
            ("digitisation_intake", gettext_noop("Tỷ lệ hồ sơ được số hóa khi tiếp nhận"), 11, ""),
            ("digitisation_result", gettext_noop("Tỷ lệ kết quả giải quyết được số hóa"), 11, ""),
        ],
    ),
]

TARGETS = [
    ("satisfaction_rate", 85),
    ("on_time_rate", 99),
    ("dvcqg_integration", 30),
    ("commune_trained", 100),
]
SOURCE = gettext_noop("Kế hoạch cải cách hành chính năm 2021 của UBND Thành phố Hà Nội")


def ensure_reference_data(ScoreGroup, ScoreIndicator, Target) -> None:  # noqa: N803
    """Create or update the scorecard and the 2021 targets (model classes passed in so the
    migration can use its historical models)."""
    for order, (code, name, weight, items) in enumerate(GROUPS):
        group, _ = ScoreGroup.objects.update_or_create(
            code=code, defaults={"name": name, "weight": Decimal(weight), "order": order}
        )
        for i, (icode, iname, points, metric) in enumerate(items):
            ScoreIndicator.objects.update_or_create(
                code=icode,
                defaults={
                    "group": group,
                    "name": iname,
                    "points": Decimal(points),
                    "metric": metric,
                    "order": i,
                },
            )
    for metric, value in TARGETS:
        Target.objects.get_or_create(
            metric=metric, year_from=2021, defaults={"value": Decimal(value), "source": SOURCE}
        )
