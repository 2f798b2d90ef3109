"""manage.py load_demo [--dossiers N] [--limit N]: agencies, catalogue, then demo dossiers."""

from django.core.management.base import BaseCommand

from dossiers.demo import load_demo_dossiers
from procedures.demo import load_catalogue


class Command(BaseCommand):
    help = "Nạp dữ liệu minh họa: cơ quan, lĩnh vực, thủ tục. Chạy lại không đổi."

    def add_arguments(self, parser):
        parser.add_argument("--dossiers", type=int, default=0, help="số hồ sơ minh họa")
        parser.add_argument(
            "--limit", type=int, default=None, help="chỉ nạp N thủ tục đầu (để kiểm thử nhanh)"
        )

    def handle(self, *args, dossiers, limit, **options):
        load_catalogue(stdout=self.stdout, limit=limit)
        if dossiers:
            load_demo_dossiers(count=dossiers, stdout=self.stdout)
