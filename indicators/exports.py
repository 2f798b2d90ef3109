"""The monthly disclosure's columns, and its CSV (UTF-8 with BOM, so Excel reads the
diacritics) and XLSX. One column list serves the page, the CSV and the XLSX, so the
downloads equal the page. Every cell goes through hanoi_cchc.spreadsheets.safe_row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from hanoi_cchc.spreadsheets import safe_row

from .selectors import Totals

# (attribute of Totals, column label): the columns agencies publish each month.
COLUMNS = (
    ("carried_over", gettext_lazy("Kỳ trước chuyển sang")),
    ("received", gettext_lazy("Tiếp nhận trong kỳ")),
    ("received_online", gettext_lazy("Trực tuyến")),
    ("received_desk", gettext_lazy("Trực tiếp")),
    ("received_post", gettext_lazy("Bưu chính")),
    ("received_dvcqg", gettext_lazy("Cổng DVCQG")),
    ("settled", gettext_lazy("Đã giải quyết")),
    ("settled_early", gettext_lazy("Trước hạn")),
    ("settled_on_time", gettext_lazy("Đúng hạn")),
    ("settled_late", gettext_lazy("Quá hạn")),
    ("open_not_due", gettext_lazy("Đang giải quyết, còn hạn")),
    ("open_overdue", gettext_lazy("Đang giải quyết, quá hạn")),
    ("refused", gettext_lazy("Từ chối giải quyết")),
    ("withdrawn", gettext_lazy("Rút hồ sơ")),
)
# Labels of every figure a restatement may name.
FIGURE_LABELS = {
    **dict(COLUMNS),
    "synced": gettext_lazy("Đã đồng bộ DVCQG"),
    **{f"rating_{k}": gettext_lazy("Đánh giá mức %(k)s") % {"k": k} for k in range(1, 6)},
}


@dataclass
class Line:
    """One row of the disclosure: who, the figures, and the restatements shown beside."""

    group: str
    label: str
    totals: Totals
    notes: list[str]

    @property
    def values(self) -> list:
        return [getattr(self.totals, attr) for attr, _label in COLUMNS]

    @property
    def key(self):
        return self.totals.key

    @property
    def rate(self):
        return self.totals.on_time_rate

    on_time_rate = rate

    @property
    def cells(self) -> list:
        rate = float(self.rate) if self.rate is not None else ""
        return [
            self.group,
            self.label,
            *self.values,
            rate,
            self.totals.settled,
            "; ".join(self.notes),
        ]


def header() -> list[str]:
    return [
        _("Nhóm"),
        _("Cơ quan, đơn vị / lĩnh vực"),
        *[str(label) for _attr, label in COLUMNS],
        _("Tỷ lệ đúng hạn, trước hạn (%)"),
        _("Mẫu số tỷ lệ (hồ sơ đã giải quyết)"),
        _("Đính chính sau công bố"),
    ]


def restatement_note(r) -> str:
    label = FIGURE_LABELS.get(r.figure, r.figure)
    when = timezone.localtime(r.recorded_at).strftime("%d/%m/%Y")
    cause = r.dossier.code if r.dossier_id and r.dossier and r.dossier.code else r.action
    return _("%(figure)s: %(old)s → %(new)s (%(cause)s, %(when)s)") % {
        "figure": label,
        "old": r.old_value,
        "new": r.new_value,
        "cause": cause,
        "when": when,
    }


def _filename(month: date, ext: str) -> str:
    return f"cong-khai-ket-qua-giai-quyet-tthc-{month:%Y-%m}.{ext}"


def disclosure_csv(month: date, lines: list[Line]) -> HttpResponse:
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf)
    # The first line is the header row (CSV readers take it as the column names): the
    # period is a column of its own (and in the file name), not a title line above it.
    writer.writerow(safe_row([_("Tháng"), *header()]))
    period = f"{month:%Y-%m}"
    writer.writerows(safe_row([period, *line.cells]) for line in lines)
    resp = HttpResponse(buf.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{_filename(month, "csv")}"'
    return resp


def disclosure_xlsx(month: date, lines: list[Line], *, title: str) -> HttpResponse:
    wb = Workbook()
    ws = wb.active
    ws.title = f"{month:%m-%Y}"
    ws.append(safe_row([title]))
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(safe_row(header()))
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for line in lines:
        ws.append(safe_row(line.cells))
    # The title and header stay in view while scrolling down and the names while
    # scrolling right; widths fit the names and the figures.
    ws.freeze_panes = "C3"
    widths = [18, 44] + [12] * len(COLUMNS) + [14, 14, 50]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.row_dimensions[2].height = 48
    out = io.BytesIO()
    wb.save(out)
    resp = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    resp["Content-Disposition"] = f'attachment; filename="{_filename(month, "xlsx")}"'
    return resp
