"""Load Hanoi's published annual indices and rebuild the statistics tables. Idempotent.

Values are the published ones recorded in DOMAIN.md §7 (PAR INDEX 2024 92.57 %, 3rd in
2022–2024; SIPAS 2024 86.5 %, 11th; PAPI 2024 43.7, 29th). Component areas are created
with their names and no value: the published component scores are not in our sources, and
demo data must not invent them. Run after the dossier demo (`make run` does).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Max, Min

from dossiers.models import Dossier
from indicators.models import (
    AnnualIndex,
    AnnualIndexComponent,
    ScoreGroup,
    ScoreIndicator,
    Target,
)
from indicators.periods import current_month, month_of
from indicators.reference import ensure_reference_data
from indicators.services import stats_full_recompute

PAR_AREAS = [
    ("par_1", "Công tác chỉ đạo, điều hành cải cách hành chính"),
    ("par_2", "Cải cách thể chế"),
    ("par_3", "Cải cách thủ tục hành chính"),
    ("par_4", "Cải cách tổ chức bộ máy hành chính nhà nước"),
    ("par_5", "Cải cách chế độ công vụ"),
    ("par_6", "Cải cách tài chính công"),
    ("par_7", "Xây dựng và phát triển Chính phủ điện tử, Chính phủ số"),
    ("par_8", "Tác động của cải cách hành chính đến người dân, tổ chức và phát triển KT-XH"),
]
SIPAS_ELEMENTS = [
    ("sipas_access", "Tiếp cận dịch vụ hành chính công"),
    ("sipas_procedures", "Thủ tục hành chính"),
    ("sipas_officials", "Công chức trực tiếp giải quyết công việc"),
    ("sipas_results", "Kết quả cung ứng dịch vụ hành chính công"),
    ("sipas_feedback", "Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị"),
]
PAPI_DIMENSIONS = [
    ("papi_1", "Tham gia của người dân ở cấp cơ sở"),
    ("papi_2", "Công khai, minh bạch trong việc ra quyết định"),
    ("papi_3", "Trách nhiệm giải trình với người dân"),
    ("papi_4", "Kiểm soát tham nhũng trong khu vực công"),
    ("papi_5", "Thủ tục hành chính công"),
    ("papi_6", "Cung ứng dịch vụ công"),
    ("papi_7", "Quản trị môi trường"),
    ("papi_8", "Quản trị điện tử"),
]
MOHA = "Bộ Nội vụ công bố"
# kind, year, total, total_max, rank, source, components
PUBLISHED = [
    ("par", 2022, None, 100, 3, MOHA, PAR_AREAS),
    ("par", 2023, None, 100, 3, MOHA, PAR_AREAS),
    ("par", 2024, Decimal("92.57"), 100, 3, MOHA, PAR_AREAS),
    ("sipas", 2024, Decimal("86.5"), 100, 11, MOHA, SIPAS_ELEMENTS),
    ("papi", 2024, Decimal("43.7"), 80, 29, "UNDP và các đối tác công bố", PAPI_DIMENSIONS),
]


class Command(BaseCommand):
    help = "Nạp chỉ số năm đã công bố của Hà Nội và tính lại bảng thống kê (chạy lại an toàn)."

    def add_arguments(self, parser):
        parser.add_argument("--no-stats", action="store_true", help="Không tính lại thống kê.")

    def handle(self, *args, no_stats=False, **options):
        with transaction.atomic():
            ensure_reference_data(ScoreGroup, ScoreIndicator, Target)
            for kind, year, total, total_max, rank, source, components in PUBLISHED:
                idx, _ = AnnualIndex.objects.update_or_create(
                    kind=kind,
                    year=year,
                    defaults={
                        "total": total,
                        "total_max": total_max,
                        "rank": rank,
                        "source": source,
                        "note": "Dữ liệu mẫu; điểm chỉ số thành phần chưa nhập.",
                    },
                )
                for order, (code, name) in enumerate(components):
                    AnnualIndexComponent.objects.get_or_create(
                        index=idx, code=code, defaults={"name": name, "order": order}
                    )
        self.stdout.write(f"Chỉ số năm: {len(PUBLISHED)} bản ghi.")
        if no_stats:
            return
        span = Dossier.objects.filter(received_at__isnull=False).aggregate(
            first=Min("received_at"), last=Max("received_at")
        )
        if span["first"] is None:
            self.stdout.write("Chưa có hồ sơ: bỏ qua tính thống kê.")
            return
        for year in range(month_of(span["first"]).year, current_month().year + 1):
            written = stats_full_recompute(year=year)
            self.stdout.write(f"Thống kê năm {year}: {written} ô.")
