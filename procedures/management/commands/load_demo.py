"""manage.py load_demo [--dossiers N] [--limit N]: agencies, catalogue, then demo dossiers."""

import importlib.util

from django.core.management.base import BaseCommand

from procedures.demo import load_catalogue


class Command(BaseCommand):
    help = "Nạp dữ liệu minh họa: cơ quan, lĩnh vực, thủ tục (và hồ sơ nếu có). Chạy lại không đổi."

    def add_arguments(self, parser):
        parser.add_argument("--dossiers", type=int, default=0, help="số hồ sơ minh họa")
        parser.add_argument(
            "--limit", type=int, default=None, help="chỉ nạp N thủ tục đầu (để kiểm thử nhanh)"
        )

    def handle(self, *args, dossiers, limit, **options):
        load_catalogue(stdout=self.stdout, limit=limit)
        # The dossier demo belongs to the dossiers app; it may not exist in every checkout.
        if dossiers and importlib.util.find_spec("dossiers.demo"):
            from dossiers.demo import load_demo_dossiers

            load_demo_dossiers(count=dossiers, stdout=self.stdout)
        elif dossiers:
            self.stdout.write("dossiers.demo chưa có: bỏ qua hồ sơ minh họa.")
