"""Form 06: Sổ theo dõi hồ sơ, the ledger of one agency's dossiers for a period (A4 landscape).

The caller passes an already scoped, bounded queryset (or a list); the ledger streams it in
one query and lays it out page by page: the cost follows the rows printed.
"""

from __future__ import annotations

from functools import lru_cache

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, Spacer, TableStyle

from ..views_common import timeliness_label
from .layout import A4_LANDSCAPE, DOTS, FONT, build, fmt_short, frame_width, grid, header, styles

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


# Body cells are plain strings broken into lines here, once, with cached word widths:
# a reportlab Paragraph per cell was parsed and re-wrapped 3-4 times while the table was
# measured, split at each page and drawn, most of the ~10 s of a year's ledger (issue 10
# item 4). Plain strings are measured by counting lines, so the one table stays cheap to
# split, and its header row repeats on every page as before.
CELL_FONT_SIZE = 7
CELL_LEADING = 8.75
CELL_PADDING = 2.5


def _rows(dossiers):
    """The dossiers to print, at most MAX_ROWS: a queryset is streamed in one query."""
    if hasattr(dossiers, "iterator"):
        return dossiers[:MAX_ROWS].iterator(chunk_size=500)
    return iter(list(dossiers)[:MAX_ROWS])


@lru_cache(maxsize=20_000)
def _width(word: str) -> float:
    return stringWidth(word, FONT, CELL_FONT_SIZE)


@lru_cache(maxsize=4_096)
def _wrap(text: str, width: float) -> str:
    """`text` broken into lines that fit `width` points (a word longer than a line is cut,
    after a "-" or "." where it has one)."""
    lines: list[str] = []
    line, used = "", 0.0
    space = _width(" ")
    for word in text.split():
        size = _width(word)
        while size > width:  # a long code or address part: cut it where it overflows
            cut = len(word)
            while cut > 1 and _width(word[:cut]) > width:
                cut -= 1
            # Prefer a break after a "-" (else a ".") of a code, the first one after which
            # the rest fits on a line: "000.00.16.H26-" / "260302-0001".
            marks = [i + 1 for i, ch in enumerate(word[:cut]) if ch in "-." and i > 0]
            fitting = [m for m in marks if _width(word[m:]) <= width]
            dashes = [m for m in fitting if word[m - 1] == "-"]
            cut = (dashes or fitting or marks[-1:] or [cut])[0]
            if line:
                lines.append(line)
                line, used = "", 0.0
            lines.append(word[:cut])
            word = word[cut:]
            size = _width(word)
        if line and used + space + size > width:
            lines.append(line)
            line, used = word, size
        elif line:
            line, used = f"{line} {word}", used + space + size
        else:
            line, used = word, size
    if line:
        lines.append(line)
    return "\n".join(lines)


def _text(value, width: float) -> str:
    # An empty value prints dots to fill in by hand, as layout.esc does for paragraphs.
    return _wrap(str(value), width) if value else DOTS


def _when(value) -> str:
    # Time over date on two lines.
    return fmt_short(value).replace(" ", "\n", 1)


def _widths(width: float, code_width: float) -> list[float]:
    """Column widths; the code column is as wide as the longest code (a code broken over two
    lines is misread), the procedure name column gives up the difference."""
    widths = [width * share for _, share in COLUMNS]
    need = code_width + 2 * CELL_PADDING + 1
    if need > widths[1]:
        widths[2] -= need - widths[1]
        widths[1] = need
    return widths


def render_form_06(*, agency, dossiers, date_from, date_to) -> bytes:
    st = styles(8.5)
    width = frame_width(A4_LANDSCAPE)
    records = list(_rows(dossiers))  # at most MAX_ROWS
    widths = _widths(width, max((_width(d.code or "") for d in records), default=0.0))
    inner = [w - 2 * CELL_PADDING for w in widths]
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
    head = [Paragraph(title, st["cell_head"]) for title, _ in COLUMNS]
    body = []
    count = 0
    for count, d in enumerate(records, start=1):
        contact = ", ".join(x for x in (d.applicant_address, d.applicant_phone) if x)
        note = timeliness_label(d.timeliness) or d.get_status_display()
        body.append(
            [
                str(count),
                _text(d.code, inner[1]),
                _text(d.procedure.name, inner[2]),
                "01",
                _text(d.applicant_name, inner[4]),
                _text(contact, inner[5]),
                _text(d.current_agency.name, inner[6]),
                _when(d.received_at),
                _when(d.due_at),
                _when(d.result_ready_at),
                _when(d.returned_at),
                _text(note, inner[11]),
            ]
        )
    if count == 0:
        body.append([Paragraph("Không có hồ sơ trong kỳ.", st["cell"])] + [""] * (len(COLUMNS) - 1))
    story.append(ledger_grid([head, *body], widths))
    if count >= MAX_ROWS:
        story.append(
            Paragraph(f"Chỉ in {MAX_ROWS} hồ sơ đầu tiên; hãy chọn kỳ ngắn hơn.", st["body"])
        )
    return build(story, title="Sổ theo dõi hồ sơ", pagesize=A4_LANDSCAPE, author=agency.name)


def ledger_grid(rows: list[list], widths: list[float]):
    """The layout's grid, with plain-string cells in the cell font and size."""
    table = grid(rows, widths)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 1), (-1, -1), FONT, CELL_FONT_SIZE),
                ("LEADING", (0, 1), (-1, -1), CELL_LEADING),
            ]
        )
    )
    return table
