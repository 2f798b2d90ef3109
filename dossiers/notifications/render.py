"""What a message says: the template for its kind and channel, filled from the dossier.

Templates are plain text with {name} placeholders, substituted literally: an administrator
edits them in the admin, and no template language (attribute access, tags) is offered to
that text. An unknown placeholder is left as written, so a typo shows in the message
instead of failing the change.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..codes import local_tz
from .choices import Kind
from .defaults import DEFAULTS

PLACEHOLDERS = {
    "ho_ten": _("họ tên người nộp"),
    "ma_ho_so": _("mã hồ sơ"),
    "ho_so": _("“hồ sơ <mã>”, hoặc “hồ sơ nộp ngày …” khi chưa có mã"),
    "ho_so_cap_hoa": _("như {ho_so}, viết hoa chữ đầu"),
    "thu_tuc": _("tên thủ tục"),
    "co_quan": _("cơ quan tiếp nhận"),
    "hen_tra": _("ngày giờ hẹn trả kết quả (sau khi hẹn lại: ngày hẹn mới)"),
    "link_tra_cuu": _("đường dẫn tra cứu hồ sơ"),
    "noi_dung": _("nội dung cần bổ sung"),
    "han_bo_sung": _("hạn bổ sung hồ sơ"),
    "so_tien": _("số tiền phí, lệ phí"),
    "ly_do": _("lý do (từ chối, xin lỗi)"),
    "tu_choi": _("“tiếp nhận” hoặc “giải quyết”"),
}
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

# Which history events the applicant is told about (issue 13). Intake guidance (form 02)
# is a supplement request too: an online applicant is not at the desk to hear it.
KIND_BY_ACTION = {
    "receive": Kind.RECEIPT,
    "accept": Kind.RECEIPT,
    "guide_incomplete": Kind.SUPPLEMENT,
    "request_supplement": Kind.SUPPLEMENT,
    "request_fee": Kind.FEE,
    "request_fee_on_return": Kind.FEE,
    "apologize": Kind.APOLOGY,
    "refuse_intake": Kind.REFUSAL,
    "refuse": Kind.REFUSAL,
    "mark_result_ready": Kind.RESULT,
}


def fill(text: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _when(moment) -> str:
    if moment is None:
        return "—"
    return f"{moment.astimezone(local_tz()):%H:%M} ngày {moment.astimezone(local_tz()):%d/%m/%Y}"


def supplement_reply_by(at) -> date | None:
    """The date the applicant is asked to supplement by, in working days [practice].

    Decree 61/2018 sets no period for the applicant; the agency states one on form 02.
    NOTIFY_SUPPLEMENT_REPLY_DAYS working days after the request; 0 states none.
    """
    days = settings.NOTIFY_SUPPLEMENT_REPLY_DAYS
    if days <= 0:
        return None
    from ..calendar_store import get_calendar

    return get_calendar().nth_working_day_after(at.astimezone(local_tz()).date(), days)


def lookup_link(dossier) -> str:
    if dossier.code:
        from ..pdf.forms import lookup_url  # one home for the link printed on form 01

        return lookup_url(dossier.code)
    return f"{settings.SITE_URL}{reverse('dossiers:lookup')}"


def values_for(dossier, event) -> dict[str, str]:
    """The placeholder values of one event of one dossier (inside its transaction)."""
    if dossier.code:
        ho_so = f"hồ sơ {dossier.code}"
    else:
        submitted = (dossier.submitted_at or timezone.now()).astimezone(local_tz())
        ho_so = f"hồ sơ nộp ngày {submitted:%d/%m/%Y}"
    is_supplement = KIND_BY_ACTION.get(event.action) == Kind.SUPPLEMENT
    reply_by = supplement_reply_by(event.at) if is_supplement else None
    fee = dossier.fee_amount
    return {
        "ho_ten": dossier.applicant_name,
        "ma_ho_so": dossier.code or "",
        "ho_so": ho_so,
        "ho_so_cap_hoa": ho_so[:1].upper() + ho_so[1:],
        "thu_tuc": dossier.procedure.name,
        "co_quan": dossier.agency.name,
        "hen_tra": _when(dossier.due_at),
        "link_tra_cuu": lookup_link(dossier),
        "noi_dung": event.note,
        "han_bo_sung": f"{reply_by:%d/%m/%Y}" if reply_by else "—",
        "so_tien": intcomma(int(fee)).replace(",", ".") if fee is not None else "—",
        "ly_do": event.note,
        "tu_choi": "tiếp nhận" if event.action == "refuse_intake" else "giải quyết",
    }


def strip_diacritics(text: str) -> str:
    """'Hồ sơ đã có kết quả' -> 'Ho so da co ket qua' (SMS_STRIP_DIACRITICS)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def templates_for(kind: str) -> dict[str, tuple[str, str] | None]:
    """channel -> (subject, body) of the kind's templates: the edited row, else the default;
    None where an administrator switched the row off."""
    from .models import MessageTemplate

    rows = {row.channel: row for row in MessageTemplate.objects.filter(kind=kind)}
    out: dict[str, tuple[str, str] | None] = {}
    for (k, channel), default in DEFAULTS.items():
        if k != kind:
            continue
        row = rows.get(channel)
        out[channel] = default if row is None else (row.subject, row.body) if row.active else None
    return out
