"""Forms 01-05 of Circular 01/2018/TT-VPCP, laid out on A5 from one dossier.

Each render_form_XX(dossier) returns PDF bytes. The wording follows the circular's
appendix; blanks the system does not know are left as dots to fill in by hand.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from ..views_common import action_label, action_role, judge, timeliness_label
from .layout import (
    A5,
    build,
    esc,
    fmt_date,
    fmt_when,
    frame_width,
    grid,
    header,
    person_name,
    signatures,
    styles,
)

ONE_STOP = "Bộ phận Tiếp nhận và Trả kết quả"
TITLES = {
    "01": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "02": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "03": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
    "04": "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
    "05": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
}
# The same titles as the links on the dossier page name them (translated; the PDF stays Vietnamese).
LINK_TITLES = {
    "01": gettext_lazy("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    "02": gettext_lazy("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "03": gettext_lazy("Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
    "04": gettext_lazy("Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
    "05": gettext_lazy("Phiếu kiểm soát quá trình giải quyết hồ sơ"),
}


def lookup_url(code: str) -> str:
    """The public status page of a dossier, as printed in the QR code of form 01."""
    return f"{settings.SITE_URL}{reverse('dossiers:lookup')}?{urlencode({'ma': code})}"


def _qr(value: str, size: float = 24 * mm) -> Drawing:
    widget = QrCodeWidget(value, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def _person(name: str) -> str:
    return name if name else ""


def _official_name(user) -> str:
    return person_name(user)


def _applicant_lines(st, dossier) -> list:
    return [
        Paragraph(f"Tiếp nhận hồ sơ của: <b>{esc(dossier.applicant_name)}</b>", st["body"]),
        Paragraph(f"Địa chỉ: {esc(dossier.applicant_address)}", st["body"]),
        # Left-aligned: justified, a long e-mail spread this line with wide gaps.
        Paragraph(
            f"Số điện thoại: {esc(dossier.applicant_phone)} &nbsp; "
            f"Email: {esc(dossier.applicant_email)}",
            st["left"],
        ),
        Paragraph(f"Nội dung yêu cầu giải quyết: <b>{esc(dossier.procedure.name)}</b>", st["body"]),
    ]


def _documents(st, dossier) -> list:
    out = []
    for doc in dossier.documents or []:
        if isinstance(doc, dict):
            name = doc.get("name", "")
            extra = ", ".join(
                str(x)
                for x in (
                    _FORM_LABELS.get(doc.get("form"), doc.get("form")),
                    _copies(doc.get("copies")),
                )
                if x
            )
        else:
            name, extra = str(doc), ""
        text = f"- {esc(name)}" + (f" ({esc(extra)})" if extra else "")
        out.append(Paragraph(text, st["left"]))
    return out or [Paragraph(esc(None), st["left"])]


_FORM_LABELS = {"original": "bản chính", "copy": "bản sao", "either": "bản chính hoặc bản sao"}


def _copies(copies) -> str:
    return f"{copies} bản" if copies else ""


def _limit(dossier) -> str:
    if dossier.limit_value is None:
        return esc(None)
    value = dossier.limit_value.normalize()
    value = int(value) if value == int(value) else value
    return f"{value} {dossier.get_limit_unit_display()}"


def render_form_01(dossier) -> bytes:
    st, width = styles(), frame_width(A5)
    story = header(
        st,
        agency=dossier.agency,
        form_no="01",
        unit_line=ONE_STOP,
        width=width,
        when=dossier.received_at,
    )
    story += [
        Paragraph(TITLES["01"], st["title"]),
        Paragraph(f"Mã hồ sơ: <b>{esc(dossier.code)}</b>", st["center"]),
        Paragraph("(Liên: Lưu / Giao người nộp hồ sơ)", st["subtitle"]),
    ]
    intro = [
        Paragraph(f"{ONE_STOP} – {esc(dossier.agency.name)}", st["body"]),
        *_applicant_lines(st, dossier),
    ]
    qr_cell = [
        _qr(lookup_url(dossier.code or "")),
        Paragraph("Quét mã để tra cứu", st["cell_head"]),
    ]
    top = Table([[intro, qr_cell]], colWidths=[width - 27 * mm, 27 * mm])
    top.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story += [
        top,
        Paragraph("1. Thành phần hồ sơ nộp gồm:", st["body"]),
        *_documents(st, dossier),
        Paragraph("2. Số lượng hồ sơ: 01 (bộ)", st["body"]),
        Paragraph(f"3. Thời gian giải quyết hồ sơ theo quy định là: {_limit(dossier)}", st["body"]),
        Paragraph(f"4. Thời gian nhận hồ sơ: {fmt_when(dossier.received_at)}", st["body"]),
        Paragraph(
            f"5. Thời gian trả kết quả giải quyết hồ sơ: <b>{fmt_when(dossier.due_at)}</b>",
            st["body"],
        ),
        Paragraph(
            f"6. Đăng ký nhận kết quả tại: {ONE_STOP} – {esc(dossier.agency.name)}", st["body"]
        ),
        Paragraph(
            f"Vào Sổ theo dõi hồ sơ, Quyển số: ……… Số thứ tự: {esc(dossier.sequence)}",
            st["body"],
        ),
        Spacer(1, 3 * mm),
        signatures(
            st,
            width,
            ("NGƯỜI NỘP HỒ SƠ", _person(dossier.applicant_name)),
            ("NGƯỜI TIẾP NHẬN HỒ SƠ", _official_name(dossier.created_by)),
        ),
    ]
    return build(story, title=TITLES["01"].capitalize(), author=dossier.agency.name)


def render_form_02(dossier) -> bytes:
    """What is missing, told once and fully (Decree 61/2018 art. 18 and 19(4))."""
    st, width = styles(), frame_width(A5)
    request = dossier.supplements.order_by("-requested_at", "-id").first()
    when = request.requested_at if request else dossier.submitted_at
    story = header(
        st, agency=dossier.agency, form_no="02", unit_line=ONE_STOP, width=width, when=when
    )
    story += [
        Paragraph(TITLES["02"], st["title"]),
        Spacer(1, 2 * mm),
        Paragraph(f"Hồ sơ của: <b>{esc(dossier.applicant_name)}</b>", st["body"]),
        Paragraph(f"Nội dung yêu cầu giải quyết: <b>{esc(dossier.procedure.name)}</b>", st["body"]),
        Paragraph(f"Mã hồ sơ: {esc(dossier.code)}" if dossier.code else "", st["body"]),
        Paragraph(f"Địa chỉ: {esc(dossier.applicant_address)}", st["body"]),
        # Left-aligned: justified, a long e-mail spread this line with wide gaps.
        Paragraph(
            f"Số điện thoại: {esc(dossier.applicant_phone)} &nbsp; "
            f"Email: {esc(dossier.applicant_email)}",
            st["left"],
        ),
        Paragraph("Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:", st["body"]),
    ]
    lines = [ln.strip() for ln in (request.content if request else "").splitlines() if ln.strip()]
    for i, line in enumerate(lines or [None], start=1):
        story.append(Paragraph(f"{i}. {esc(line)}", st["left"]))
    story += [
        Paragraph(
            "Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, ông/bà liên hệ với "
            f"{esc(_official_name(request.requested_by) if request else None)} "
            f"{_desk_contact(dossier.agency)} để được hướng dẫn.",
            st["body"],
        ),
        Spacer(1, 3 * mm),
        signatures(
            st,
            width,
            ("", ""),
            ("NGƯỜI HƯỚNG DẪN", _official_name(request.requested_by) if request else ""),
        ),
    ]
    return build(story, title=TITLES["02"].capitalize(), author=dossier.agency.name)


def _desk_contact(agency) -> str:
    """The desk's phone number; without one on record, where the desk is (never a blank
    "số điện thoại ……" for the applicant to puzzle over)."""
    if agency.phone:
        return f"số điện thoại {esc(agency.phone)}"
    place = f"{ONE_STOP} – {esc(agency.name)}"
    return f"tại {place}, {esc(agency.address)}" if agency.address else f"tại {place}"


def _last_event(dossier, *actions):
    return dossier.events.filter(action__in=actions).order_by("-at", "-id").first()


def render_form_03(dossier) -> bytes:
    st, width = styles(), frame_width(A5)
    event = _last_event(dossier, "refuse_intake", "refuse")
    reason = ""
    if event:
        reason = (event.data or {}).get("reason") or event.note
    story = header(
        st,
        agency=dossier.agency,
        form_no="03",
        unit_line=ONE_STOP,
        width=width,
        when=event.at if event else None,
    )
    story += [
        Paragraph(TITLES["03"], st["title"]),
        Spacer(1, 2 * mm),
        Paragraph(f"{ONE_STOP} – {esc(dossier.agency.name)}", st["body"]),
        *_applicant_lines(st, dossier),
        Paragraph(
            f"Qua xem xét hồ sơ, {ONE_STOP} thông báo không tiếp nhận, giải quyết hồ sơ này "
            "với lý do cụ thể như sau:",
            st["body"],
        ),
        Paragraph(f"<b>{esc(reason)}</b>", st["body"]),
        Paragraph("Xin thông báo cho Ông/Bà được biết và thực hiện./.", st["body"]),
        Spacer(1, 3 * mm),
        signatures(
            st, width, ("", ""), ("NGƯỜI TIẾP NHẬN HỒ SƠ", _official_name(event and event.actor))
        ),
    ]
    return build(story, title=TITLES["03"].capitalize(), author=dossier.agency.name)


def _apology_delay(apology, name: str) -> str:
    """ "Đến nay… chưa trả" only once the deadline has passed; an apology written before it
    (the unit already knows it will be late) says so instead."""
    if apology is not None and apology.created_at < apology.old_due_at:
        return (
            f"Tuy nhiên, {name} không thể trả kết quả giải quyết hồ sơ cho Ông/Bà/Tổ chức "
            "đúng thời hạn trên."
        )
    return f"Tuy nhiên đến nay, {name} chưa trả kết quả giải quyết hồ sơ cho Ông/Bà/Tổ chức."


def render_form_04(dossier) -> bytes:
    """Apology with the one new appointment (Decree 61/2018 art. 19(5))."""
    st, width = styles(), frame_width(A5)
    apology = getattr(dossier, "apology", None)
    agency = dossier.current_agency or dossier.agency
    story = header(
        st,
        agency=agency,
        form_no="04",
        unit_line=None,
        width=width,
        when=apology.created_at if apology else None,
    )
    name = esc(agency.name)
    story += [
        Paragraph(TITLES["04"], st["title"]),
        Spacer(1, 2 * mm),
        Paragraph(
            f"{fmt_date(dossier.received_at).capitalize()}, {name} tiếp nhận giải quyết hồ sơ "
            f"của Ông/Bà/Tổ chức: <b>{esc(dossier.applicant_name)}</b>",
            st["body"],
        ),
        Paragraph(f"Nội dung yêu cầu giải quyết: <b>{esc(dossier.procedure.name)}</b>", st["body"]),
        Paragraph(f"Mã hồ sơ: <b>{esc(dossier.code)}</b>", st["body"]),
        Paragraph(
            "Thời hạn giải quyết hồ sơ theo quy định: "
            f"{fmt_when(apology.old_due_at if apology else dossier.due_at)}",
            st["body"],
        ),
        Paragraph(_apology_delay(apology, name), st["body"]),
        Paragraph(f"Lý do: <b>{esc(apology.reason if apology else None)}</b>", st["body"]),
        Paragraph(
            "Sự chậm trễ này đã gây phiền hà, tốn kém chi phí đi lại của Ông/Bà/Tổ chức. "
            f"{name} xin lỗi Ông/Bà/Tổ chức và sẽ trả kết quả giải quyết hồ sơ vào "
            f"<b>{fmt_when(apology.new_due_at if apology else None)}</b>.",
            st["body"],
        ),
        Paragraph("Xin trân trọng cảm ơn sự hợp tác của Ông/Bà/Tổ chức./.", st["body"]),
        Spacer(1, 3 * mm),
        signatures(st, width, ("", ""), ("THỦ TRƯỞNG CƠ QUAN", "")),
    ]
    return build(story, title=TITLES["04"].capitalize(), author=agency.name)


def handoffs(dossier) -> list[dict]:
    """Each step of form 05: who handed over to whom, when, and early/on time/late.

    A step is judged against the deadline in force when it happened (the event's
    due_before), a transfer's return against the transfer's own sub-deadline.
    """
    events = list(dossier.events.select_related("agency").order_by("at", "id"))
    transfers = list(dossier.transfers.select_related("from_agency", "to_agency"))
    rows = []
    for event in events:
        due = event.due_before or event.due_after or dossier.due_at
        verdict = judge(event.at, due)
        agency = event.agency.name if event.agency_id else ""
        note = action_label(event.action)
        if event.action == "transfer":
            match = next(
                (t for t in transfers if abs((t.sent_at - event.at).total_seconds()) < 60), None
            )
            if match:
                agency = f"{match.from_agency.name} → {match.to_agency.name}"
                note += f" (hạn: {fmt_when(match.due_at)})"
        if event.action == "transfer_back":
            match = next(
                (t for t in transfers if t.returned_at and t.returned_at <= event.at), None
            )
            if match:
                verdict = match.timeliness or judge(match.returned_at, match.due_at)
        rows.append(
            {
                "agency": agency,
                "role": action_role(event.action),
                "at": event.at,
                "result": timeliness_label(verdict),
                "note": note + (f": {event.note}" if event.note else ""),
            }
        )
    return rows


def render_form_05(dossier) -> bytes:
    st, width = styles(), frame_width(A5)
    story = header(
        st, agency=dossier.agency, form_no="05", unit_line=ONE_STOP, width=width, when=None
    )
    story += [
        Paragraph(TITLES["05"], st["title"]),
        Paragraph(
            f"(Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả, mã hồ sơ: {esc(dossier.code)})",
            st["subtitle"],
        ),
        Paragraph(
            f"Cơ quan (bộ phận) giải quyết hồ sơ: <b>{esc(dossier.current_agency.name)}</b>",
            st["body"],
        ),
        Paragraph(
            "Cơ quan phối hợp giải quyết hồ sơ: "
            + esc(", ".join(sorted({t.to_agency.name for t in dossier.transfers.all()}))),
            st["body"],
        ),
        Spacer(1, 2 * mm),
    ]
    head = [
        Paragraph(t, st["cell_head"])
        for t in (
            "TÊN CƠ QUAN, BỘ PHẬN",
            "THỜI GIAN GIAO, NHẬN HỒ SƠ",
            "KẾT QUẢ GIẢI QUYẾT (trước hạn / đúng hạn / quá hạn)",
            "GHI CHÚ",
        )
    ]
    rows = [head]
    for i, step in enumerate(handoffs(dossier), start=1):
        rows.append(
            [
                Paragraph(f"{i}. {esc(step['agency'])}<br/><i>{esc(step['role'])}</i>", st["cell"]),
                Paragraph(fmt_when(step["at"]), st["cell"]),
                Paragraph(step["result"] or "", st["cell"]),
                Paragraph(esc(step["note"]), st["cell"]),
            ]
        )
    story.append(grid(rows, [width * 0.28, width * 0.24, width * 0.18, width * 0.30]))
    outcome = timeliness_label(dossier.timeliness)
    if outcome:
        story.append(Spacer(1, 2 * mm))
        story.append(Paragraph(f"Kết quả giải quyết hồ sơ: <b>{outcome}</b>", st["body"]))
    return build(story, title=TITLES["05"].capitalize(), author=dossier.agency.name)


RENDERERS = {
    "01": render_form_01,
    "02": render_form_02,
    "03": render_form_03,
    "04": render_form_04,
    "05": render_form_05,
}
