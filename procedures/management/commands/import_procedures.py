"""manage.py import_procedures FILE: import the catalogue from CSV or XLSX (all or nothing).

The columns are documented in procedures/importers.py and on the admin import page.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from procedures.importers import import_procedures


class Command(BaseCommand):
    help = "Nhập thủ tục hành chính từ tệp CSV hoặc XLSX; có dòng lỗi thì không ghi gì."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}")
        report = import_procedures(filename=file.name, content=file.read_bytes())
        if not report.ok:
            for error in report.errors:
                self.stderr.write(f"dòng {error.row}, cột {error.column or '—'}: {error.message}")
            raise CommandError(f"{len(report.errors)} lỗi: không ghi dòng nào.")
        self.stdout.write(
            f"Đã nhập {report.rows} dòng: {report.created} mới, {report.updated} cập nhật, "
            f"{report.unchanged} không đổi."
        )
