"""manage.py reindex_procedures: rebuild the diacritics-free search text of every procedure."""

from django.core.management.base import BaseCommand

from procedures.services import procedures_reindex_search


class Command(BaseCommand):
    help = "Tính lại chuỗi tìm kiếm không dấu của mọi thủ tục (sau khi nạp dữ liệu hàng loạt)."

    def handle(self, *args, **options):
        changed = procedures_reindex_search()
        self.stdout.write(f"Đã cập nhật chuỗi tìm kiếm của {changed} thủ tục.")
