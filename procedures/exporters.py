"""Export of the procedure catalogue in the import format (see ``procedures.importers``).

CSV is written as UTF-8 with a BOM so that Excel shows Vietnamese diacritics; a cell that
starts like a formula is prefixed with an apostrophe (the importer strips it again).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from hanoi_cchc.spreadsheets import safe_row

from .importers import COLUMN_NAMES


def export_rows(queryset) -> list[list[str]]:
    """The catalogue as rows of text in the import format, header first."""
    rows = [list(COLUMN_NAMES)]
    qs = queryset.select_related("field").prefetch_related(
        "agencies", "required_documents", "time_limits"
    )
    for p in qs:
        levels = [
            k for k, v in (("tinh", p.at_city), ("huyen", p.at_district), ("xa", p.at_commune)) if v
        ]
        docs = "\n".join(
            f"{d.name} | {d.form} | {d.copies}" + ("" if d.mandatory else " | optional")
            for d in p.required_documents.all()
        )
        limits = "\n".join(
            f"{t.channel} | {t.case} | {_plain(t.value)} | {t.unit}" for t in p.time_limits.all()
        )
        rows.append(
            [
                p.national_code,
                p.name,
                p.field.code,
                p.field.name,
                ";".join(levels),
                ";".join(a.identifier_code for a in p.agencies.all()),
                _plain(p.time_limit_value),
                p.time_limit_unit,
                "" if p.fee is None else str(int(p.fee)),
                p.fee_note,
                p.online_mode,
                "" if p.legacy_level is None else str(p.legacy_level),
                "có" if p.dvcqg_integrated else "không",
                p.dvcqg_integrated_on.isoformat() if p.dvcqg_integrated_on else "",
                p.local_code,
                p.result_document,
                p.steps,
                p.legal_basis,
                p.status,
                docs,
                limits,
            ]
        )
    return rows


def _plain(value) -> str:
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


SAMPLE_ROW = {
    "national_code": "1.000000",
    "name": "Đăng ký khai sinh (ví dụ)",
    "field_code": "HOTICH",
    "field_name": "Hộ tịch",
    "levels": "xa",
    "agencies": "",
    "time_limit_value": "1",
    "time_limit_unit": "working_days",
    "fee": "0",
    "fee_note": "Miễn lệ phí đăng ký khai sinh đúng hạn.",
    "online_mode": "full",
    "legacy_level": "4",
    "dvcqg_integrated": "có",
    "dvcqg_integrated_on": "2022-08-15",
    "local_code": "",
    "result_document": "Giấy khai sinh (bản chính)",
    "steps": "Bước 1: Nộp hồ sơ.\nBước 2: Nhận kết quả.",
    "legal_basis": "Luật Hộ tịch số 60/2014/QH13\nNghị định số 123/2015/NĐ-CP",
    "status": "draft",
    "documents": "Tờ khai đăng ký khai sinh | original | 1\nGiấy chứng sinh | original | 1",
    "time_limits": "online | | 0,5 | working_days",
}


def sample_csv() -> bytes:
    """A one-row example of the import format (status draft, so importing it publishes nothing)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMN_NAMES)
    writer.writerow([SAMPLE_ROW[name] for name in COLUMN_NAMES])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_csv(queryset) -> bytes:
    """UTF-8 with a BOM so that Excel shows Vietnamese diacritics."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(safe_row(row) for row in export_rows(queryset))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(queryset) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Thu tuc"
    for row in export_rows(queryset):
        sheet.append(safe_row(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in (("A", 12), ("B", 60), ("T", 60)):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
