"""The shared layout of the Circular 01/2018 forms: fonts, styles, header, page sizes.

Every form has the same head: the agency on the left, the national motto on the right,
the form number above, then a bold centred title (Circular 01/2018/TT-VPCP, appendix).
DejaVu covers every Vietnamese diacritic, so the PDFs stay searchable.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

FONT = "DejaVuSerif"
FONT_BOLD = "DejaVuSerif-Bold"
FONT_ITALIC = "DejaVuSerif-Italic"
FONT_BOLD_ITALIC = "DejaVuSerif-BoldItalic"
_FONT_FILES = {
    FONT: "DejaVuSerif.ttf",
    FONT_BOLD: "DejaVuSerif-Bold.ttf",
    FONT_ITALIC: "DejaVuSerif-Italic.ttf",
    FONT_BOLD_ITALIC: "DejaVuSerif-BoldItalic.ttf",
}
_registered = False

MOTTO_1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"
PLACE = "Hà Nội"
DOTS = "…………"


def _find_font(filename: str) -> Path:
    for directory in settings.PDF_FONT_DIRS:
        candidate = Path(directory) / filename
        if candidate.is_file():
            return candidate
    raise ImproperlyConfigured(
        f"Font {filename} not found in PDF_FONT_DIRS {settings.PDF_FONT_DIRS}: "
        "run `npm ci` or apt-get install fonts-dejavu"
    )


def register_fonts() -> None:
    """Register DejaVu Serif once per process (reportlab keeps a global registry)."""
    global _registered
    if _registered:
        return
    for name, filename in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(_find_font(filename))))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC
    )
    _registered = True


def styles(base: float = 9) -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle(
        "body", fontName=FONT, fontSize=base, leading=base * 1.35, alignment=TA_JUSTIFY
    )
    return {
        "body": body,
        "left": ParagraphStyle("left", parent=body, alignment=TA_LEFT),
        "center": ParagraphStyle("center", parent=body, alignment=TA_CENTER),
        "head": ParagraphStyle(
            "head",
            parent=body,
            fontName=FONT_BOLD,
            alignment=TA_CENTER,
            fontSize=base - 1.5,
            leading=(base - 1.5) * 1.3,
        ),
        "head_plain": ParagraphStyle(
            "head_plain",
            parent=body,
            alignment=TA_CENTER,
            fontSize=base - 1.5,
            leading=(base - 1.5) * 1.3,
        ),
        "title": ParagraphStyle(
            "title",
            parent=body,
            fontName=FONT_BOLD,
            alignment=TA_CENTER,
            fontSize=base + 2,
            leading=(base + 2) * 1.3,
            spaceBefore=6,
            spaceAfter=2,
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=body, fontName=FONT_ITALIC, alignment=TA_CENTER, spaceAfter=6
        ),
        "italic_center": ParagraphStyle(
            "italic_center", parent=body, fontName=FONT_ITALIC, alignment=TA_CENTER
        ),
        "form_no": ParagraphStyle(
            "form_no", parent=body, fontName=FONT_BOLD, alignment=2, fontSize=base - 1
        ),
        "cell": ParagraphStyle(
            "cell", parent=body, fontSize=base - 1.5, leading=(base - 1.5) * 1.25, alignment=TA_LEFT
        ),
        "cell_head": ParagraphStyle(
            "cell_head",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=base - 1.5,
            leading=(base - 1.5) * 1.25,
            alignment=TA_CENTER,
        ),
    }


def esc(value) -> str:
    """Escape text for reportlab's mini-markup; None becomes dots to fill in by hand."""
    if value is None or value == "":
        return DOTS
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value else None


def person_name(user) -> str:
    """Vietnamese order: family name first (“Nguyễn Văn A”)."""
    if user is None:
        return ""
    full = f"{user.last_name} {user.first_name}".strip()
    return full or user.get_username()


def fmt_when(value: datetime | None) -> str:
    """“10 giờ 05 phút, ngày 08 tháng 01 năm 2021”, the wording of the forms."""
    value = local(value)
    if value is None:
        return "…… giờ …… phút, ngày …… tháng …… năm ……"
    return f"{value:%H} giờ {value:%M} phút, ngày {value:%d} tháng {value:%m} năm {value:%Y}"


def fmt_date(value) -> str:
    if value is None:
        return "ngày …… tháng …… năm ……"
    if isinstance(value, datetime):
        value = local(value)
    return f"ngày {value:%d} tháng {value:%m} năm {value:%Y}"


def fmt_short(value: datetime | None) -> str:
    value = local(value)
    return f"{value:%H:%M %d/%m/%Y}" if value else ""


# Heading lines break only between these units, as on the printed forms:
# "ỦY BAN NHÂN DÂN / THÀNH PHỐ HÀ NỘI", "BỘ PHẬN TIẾP NHẬN / VÀ TRẢ KẾT QUẢ".
_HEAD_PREFIXES = ("ỦY BAN NHÂN DÂN", "BỘ PHẬN TIẾP NHẬN")
_NBSP = "\u00a0"


def _unbroken(text: str) -> str:
    """Escaped heading text that never breaks inside a place name ("THÀNH PHỐ HÀ / NỘI")."""
    text = esc(text)
    for prefix in _HEAD_PREFIXES:
        if text.startswith(prefix + " "):
            rest = text[len(prefix) + 1 :]
            return prefix.replace(" ", _NBSP) + " " + rest.replace(" ", _NBSP)
    text = text.replace("THÀNH PHỐ HÀ NỘI", "THÀNH PHỐ HÀ NỘI".replace(" ", _NBSP))
    words = text.split(" ")
    if len(words) > 2:  # at least the last two words stay together
        words[-2:] = [_NBSP.join(words[-2:])]
    return " ".join(words)


def header(
    st: dict,
    *,
    agency,
    form_no: str,
    unit_line: str | None,
    width: float,
    number: str = "",
    when=None,
) -> list:
    """Form number, agency | national motto, the reference number and the place and date."""
    parent = agency.parent.name.upper() if agency and agency.parent_id else ""
    left = []
    if parent:
        left.append(Paragraph(_unbroken(parent), st["head_plain"]))
    left.append(Paragraph(_unbroken(agency.name.upper()) if agency else "", st["head"]))
    if unit_line:
        left.append(Paragraph(_unbroken(unit_line.upper()), st["head"]))
    left.append(
        HRFlowable(width="35%", thickness=0.6, color=colors.black, spaceBefore=1, hAlign="CENTER")
    )
    if number:
        left.append(Paragraph(f"Số: {esc(number)}", st["head_plain"]))
    right = [
        Paragraph(MOTTO_1, st["head"]),
        Paragraph(MOTTO_2, st["head"]),
        HRFlowable(width="60%", thickness=0.6, color=colors.black, spaceBefore=1, hAlign="CENTER"),
        Paragraph(f"{PLACE}, {fmt_date(when or timezone.now())}", st["italic_center"]),
    ]
    table = Table([[left, right]], colWidths=[width * 0.44, width * 0.56])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                # Cell alignment governs flowables: centres the rules under each heading.
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, 0), 6),
                ("RIGHTPADDING", (1, 0), (1, 0), 0),
            ]
        )
    )
    return [Paragraph(f"Mẫu số {form_no}", st["form_no"]), Spacer(1, 2 * mm), table]


def signatures(st: dict, width: float, *blocks: tuple[str, str]) -> Table:
    """Signature blocks side by side: (role in capitals, name or empty)."""
    cells = []
    for role, name in blocks:
        if not role:
            cells.append("")
            continue
        cells.append(
            [
                Paragraph(f"<b>{esc(role)}</b>", st["center"]),
                Paragraph("<i>(Ký và ghi rõ họ tên)</i>", st["center"]),
                Spacer(1, 14 * mm),
                Paragraph(f"<b>{esc(name)}</b>" if name else "", st["center"]),
            ]
        )
    table = Table([cells], colWidths=[width / len(blocks)] * len(blocks))
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def grid(rows: list[list], col_widths: list[float], header_rows: int = 1) -> Table:
    table = Table(rows, colWidths=col_widths, repeatRows=header_rows)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#f0f0f0")),
                ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return table


def build(story: list, *, title: str, pagesize=A5, author: str = "") -> bytes:
    """Lay the story out on A5 (forms 01-05) or landscape A4 (form 06); return PDF bytes."""
    register_fonts()
    buffer = io.BytesIO()
    margin = 11 * mm
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=title,
        author=author,
        subject=title,
        creator="hanoi_cchc",
    )

    def number_pages(canvas, doc_):
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.drawRightString(pagesize[0] - margin, 6 * mm, f"Trang {doc_.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=number_pages, onLaterPages=number_pages)
    return buffer.getvalue()


def frame_width(pagesize=A5) -> float:
    return pagesize[0] - 22 * mm


A4_LANDSCAPE = landscape(A4)
__all__ = ["A5", "A4_LANDSCAPE", "build", "header", "styles", "signatures", "grid"]
