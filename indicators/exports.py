"""CSV (UTF-8 with BOM, so Excel reads the diacritics) and XLSX of the public disclosure."""

from __future__ import annotations

import csv
import io
from datetime import date

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from hanoi_cchc.spreadsheets import safe_row

from .selectors import Totals


def _header() -> list[str]:
    return [
        _("Cấp"),
        _("Cơ quan, đơn vị"),
        _("Tiếp nhận trong kỳ"),
        _("Kỳ trước chuyển sang"),
        _("Đã giải quyết"),
        _("Trước hạn"),
        _("Đúng hạn"),
        _("Quá hạn"),
        _("Đang giải quyết quá hạn"),
        _("Tỷ lệ đúng hạn, trước hạn (%)"),
        _("Mẫu số tỷ lệ (hồ sơ đã giải quyết)"),
    ]


def _line(level: str, name: str, t: Totals) -> list:
    return [
        level,
        name,
        t.received,
        t.carried_over,
        t.settled,
        t.settled_early,
        t.settled_on_time,
        t.settled_late,
        t.open_overdue,
        float(t.on_time_rate) if t.on_time_rate is not None else "",
        t.settled,
    ]


def _lines(rows: list[Totals], totals: Totals) -> list[list]:
    out = [_line(str(r.extra.get("level_label", "")), r.label, r) for r in rows]
    out.append(_line("", _("Toàn Thành phố"), totals))
    return out


def _filename(month: date, ext: str) -> str:
    return f"cong-khai-ket-qua-giai-quyet-tthc-{month:%Y-%m}.{ext}"


def disclosure_csv(month: date, rows: list[Totals], totals: Totals) -> HttpResponse:
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf)
    # The first line is the header row (CSV readers take it as the column names): the
    # period is a column of its own (and in the file name), not a title line above it.
    writer.writerow(safe_row([_("Tháng"), *_header()]))
    period = f"{month:%Y-%m}"
    # Agency names are data: one starting with "=" was a live formula (issue 12).
    writer.writerows(safe_row([period, *line]) for line in _lines(rows, totals))
    resp = HttpResponse(buf.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{_filename(month, "csv")}"'
    return resp


def disclosure_xlsx(month: date, rows: list[Totals], totals: Totals) -> HttpResponse:
    wb = Workbook()
    ws = wb.active
    ws.title = f"{month:%m-%Y}"
    ws.append([_("Kết quả giải quyết TTHC tháng %(m)s") % {"m": f"{month:%m/%Y}"}])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(safe_row(_header()))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for line in _lines(rows, totals):
        ws.append(safe_row(line))
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 40
    out = io.BytesIO()
    wb.save(out)
    resp = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    resp["Content-Disposition"] = f'attachment; filename="{_filename(month, "xlsx")}"'
    return resp
