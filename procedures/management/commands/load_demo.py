"""manage.py load_demo [--dossiers N] [--limit N] [--indicators] [--users]: agencies,
catalogue, then demo dossiers; with --indicators and --users, the whole demo of `make run` in
one process (each Django start costs about a second of the 30 s budget, issue 14)."""

from django.core.management import call_command
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
        parser.add_argument(
            "--indicators",
            action="store_true",
            help="nạp cả chỉ số năm đã công bố (load_indicator_demo)",
        )
        parser.add_argument(
            "--users", action="store_true", help="tạo cả tài khoản minh họa (ensure_demo_users)"
        )

    def handle(self, *args, dossiers, limit, indicators, users, **options):
        load_catalogue(stdout=self.stdout, limit=limit)
        if dossiers:
            load_demo_dossiers(count=dossiers, stdout=self.stdout)
        if indicators:
            # The dossier load has recomputed the statistics of every month it wrote; when it
            # wrote nothing they are as they were.
            call_command("load_indicator_demo", no_stats=True, stdout=self.stdout)
        if users:
            call_command("ensure_demo_users", stdout=self.stdout)
