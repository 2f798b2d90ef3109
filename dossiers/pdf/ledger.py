"""Form 06: Sổ theo dõi hồ sơ, the ledger of one agency's dossiers for a period (A4 landscape).

The caller passes an already scoped, bounded queryset; the ledger streams it in one query.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, Spacer

from ..views_common import timeliness_label
from .layout import (
    A4_LANDSCAPE,
    FONT,
    build,
    esc,
    fmt_short,
    frame_width,
    grid,
    header,
    styles,
)

TITLE = "SỔ THEO DÕI HỒ SƠ"
# Printing is for a period's paper ledger; a larger export belongs to the statistics area.
MAX_ROWS = 5000

COLUMNS = [
    ("STT", 0.04),
    ("Mã hồ sơ", 0.135),
    ("Tên thủ tục hành chính", 0.14),
    ("Số lượng hồ sơ (bộ)", 0.05),
    ("Tên cá nhân, tổ chức", 0.10),
    ("Địa chỉ, số điện thoại", 0.095),
    ("Cơ quan chủ trì giải quyết", 0.09),
    ("Nhận hồ sơ", 0.07),
    ("Hẹn trả kết quả", 0.07),
    ("Có kết quả", 0.07),
    ("Trả kết quả cho cá nhân, tổ chức", 0.07),
    ("Ghi chú", 0.07),
]


def _widths(width: float, code_width: float) -> list[float]:
    """Column widths; the code column is as wide as the longest code (a code broken over two
    lines is misread), the procedure name column gives up the difference."""
    widths = [width * share for _, share in COLUMNS]
    need = code_width + 6  # the cell's left and right padding, and a little air
    if need > widths[1]:
        widths[2] -= need - widths[1]
        widths[1] = need
    return widths


def render_form_06(*, agency, dossiers, date_from, date_to) -> bytes:
    st = styles(8.5)
    width = frame_width(A4_LANDSCAPE)
    story = header(
        st,
        agency=agency,
        form_no="06",
        unit_line="Bộ phận Tiếp nhận và Trả kết quả",
        width=width,
    )
    story += [
        Paragraph(TITLE, st["title"]),
        Paragraph(f"Từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y}", st["subtitle"]),
        Spacer(1, 2 * mm),
    ]
    rows = [[Paragraph(title, st["cell_head"]) for title, _ in COLUMNS]]
    count = 0
    code_width = 0.0
    for count, d in enumerate(dossiers[:MAX_ROWS].iterator(chunk_size=500), start=1):
        contact = ", ".join(x for x in (d.applicant_address, d.applicant_phone) if x)
        note = timeliness_label(d.timeliness) or d.get_status_display()
        code_width = max(code_width, stringWidth(d.code or "", FONT, st["cell"].fontSize))
        rows.append(
            [
                Paragraph(str(count), st["cell"]),
                Paragraph(esc(d.code), st["cell"]),
                Paragraph(esc(d.procedure.name), st["cell"]),
                Paragraph("01", st["cell"]),
                Paragraph(esc(d.applicant_name), st["cell"]),
                Paragraph(esc(contact), st["cell"]),
                Paragraph(esc(d.current_agency.name), st["cell"]),
                Paragraph(fmt_short(d.received_at), st["cell"]),
                Paragraph(fmt_short(d.due_at), st["cell"]),
                Paragraph(fmt_short(d.result_ready_at), st["cell"]),
                Paragraph(fmt_short(d.returned_at), st["cell"]),
                Paragraph(esc(note), st["cell"]),
            ]
        )
    if count == 0:
        rows.append([Paragraph("Không có hồ sơ trong kỳ.", st["cell"])] + [""] * (len(COLUMNS) - 1))
    story.append(grid(rows, _widths(width, code_width)))
    if count >= MAX_ROWS:
        story.append(
            Paragraph(f"Chỉ in {MAX_ROWS} hồ sơ đầu tiên; hãy chọn kỳ ngắn hơn.", st["body"])
        )
    return build(story, title="Sổ theo dõi hồ sơ", pagesize=A4_LANDSCAPE, author=agency.name)
