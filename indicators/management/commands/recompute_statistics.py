"""Rebuild the statistics (finest cells, roll-ups, restatements) from the dossiers.

manage.py recompute_statistics              # the current year (what the nightly task does)
manage.py recompute_statistics --year 2025
manage.py recompute_statistics --all        # every month since January 2021
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from indicators import services
from indicators.periods import current_month


class Command(BaseCommand):
    help = "Tính lại số liệu thống kê (ô chi tiết, bảng tổng hợp, đính chính) từ hồ sơ."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--year", type=int, help="Một năm (mặc định: năm nay)")
        group.add_argument("--all", action="store_true", help="Mọi tháng từ 01/2021")

    def handle(self, *args, year=None, all=False, **options):
        now_year = current_month().year
        if year is not None and not services.FIRST_MONTH.year <= year <= now_year:
            raise CommandError(f"--year must be between {services.FIRST_MONTH.year} and {now_year}")
        started = time.monotonic()
        label = "all months" if all else f"year {year or now_year}"
        self.stdout.write(f"Recomputing statistics: {label}")

        def progress(step: str, seconds: float) -> None:
            total = time.monotonic() - started
            self.stdout.write(f"  {step:<28} {seconds:7.2f} s   (total {total:7.2f} s)")
            self.stdout.flush()

        if all:
            written = services.stats_full_recompute(everything=True, progress=progress)
        else:
            written = services.stats_full_recompute(year=year or now_year, progress=progress)
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Done: {written} cells in {elapsed:.2f} s"))
