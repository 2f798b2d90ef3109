"""The Vietnamese default texts of the messages, seeded into MessageTemplate.

An administrator edits them in the admin; a kind whose row was deleted falls back to these.
Placeholders are listed in dossiers.notifications.render.PLACEHOLDERS.
"""

from __future__ import annotations

# (kind, channel) -> (subject, body). SMS texts stay short: one to three SMS segments.
DEFAULTS: dict[tuple[str, str], tuple[str, str]] = {
    ("receipt", "sms"): (
        "",
        "{co_quan} đã tiếp nhận hồ sơ {ma_ho_so}. Hẹn trả kết quả: {hen_tra}. "
        "Tra cứu: {link_tra_cuu}",
    ),
    ("receipt", "email"): (
        "Đã tiếp nhận hồ sơ {ma_ho_so}",
        "Kính gửi Ông/Bà {ho_ten},\n\n"
        "{co_quan} đã tiếp nhận hồ sơ của Ông/Bà.\n"
        "- Thủ tục: {thu_tuc}\n"
        "- Mã hồ sơ: {ma_ho_so}\n"
        "- Hẹn trả kết quả: {hen_tra}\n\n"
        "Ông/Bà tra cứu tình trạng hồ sơ tại {link_tra_cuu} "
        "(nhập mã hồ sơ và 4 số cuối của số điện thoại hoặc số định danh).\n\n"
        "Trân trọng.",
    ),
    ("supplement", "sms"): (
        "",
        "{ho_so_cap_hoa} cần bổ sung: {noi_dung}. Hạn bổ sung: {han_bo_sung}. Liên hệ: {co_quan}.",
    ),
    ("supplement", "email"): (
        "Yêu cầu bổ sung, hoàn thiện {ho_so}",
        "Kính gửi Ông/Bà {ho_ten},\n\n"
        "{co_quan} đề nghị Ông/Bà bổ sung, hoàn thiện {ho_so} (thủ tục: {thu_tuc}).\n\n"
        "Nội dung cần bổ sung:\n{noi_dung}\n\n"
        "Hạn bổ sung: {han_bo_sung}.\n"
        "Tra cứu: {link_tra_cuu}\n\n"
        "Trân trọng.",
    ),
    ("fee", "sms"): (
        "",
        "Đề nghị nộp phí, lệ phí {so_tien} đồng cho hồ sơ {ma_ho_so}. Liên hệ: {co_quan}.",
    ),
    ("fee", "email"): (
        "Đề nghị nộp phí, lệ phí cho hồ sơ {ma_ho_so}",
        "Kính gửi Ông/Bà {ho_ten},\n\n"
        # Asked while processing or when the result is returned (dossiers.payments).
        "Để tiếp tục giải quyết hoặc nhận kết quả hồ sơ {ma_ho_so} (thủ tục: {thu_tuc}), "
        "đề nghị Ông/Bà nộp phí, lệ phí: {so_tien} đồng (trực tuyến tại trang hồ sơ hoặc "
        "tại {co_quan}).\n"
        "Tra cứu: {link_tra_cuu}\n\n"
        "Trân trọng.",
    ),
    ("apology", "sms"): (
        "",
        "{co_quan} xin lỗi vì hồ sơ {ma_ho_so} chưa có kết quả đúng hẹn. Lý do: {ly_do}. "
        "Hẹn trả kết quả mới: {hen_tra}.",
    ),
    ("apology", "email"): (
        "Xin lỗi và hẹn lại ngày trả kết quả hồ sơ {ma_ho_so}",
        "Kính gửi Ông/Bà {ho_ten},\n\n"
        "{co_quan} xin lỗi Ông/Bà vì hồ sơ {ma_ho_so} (thủ tục: {thu_tuc}) chưa giải quyết "
        "xong đúng hẹn.\n"
        "Lý do: {ly_do}\n"
        "Hẹn trả kết quả mới: {hen_tra}.\n\n"
        "Mong Ông/Bà thông cảm. Trân trọng.",
    ),
    ("refusal", "sms"): (
        "",
        "{co_quan} từ chối {tu_choi} {ho_so}. Lý do: {ly_do}.",
    ),
    ("refusal", "email"): (
        "Thông báo từ chối {tu_choi} {ho_so}",
        "Kính gửi Ông/Bà {ho_ten},\n\n"
        "{co_quan} từ chối {tu_choi} {ho_so} (thủ tục: {thu_tuc}).\n"
        "Lý do: {ly_do}\n\n"
        "Trân trọng.",
    ),
    ("result", "sms"): (
        "",
        "Hồ sơ {ma_ho_so} đã có kết quả. Mời Ông/Bà nhận kết quả tại {co_quan}. "
        "Tra cứu: {link_tra_cuu}",
    ),
    ("result", "email"): (
        "Hồ sơ {ma_ho_so} đã có kết quả",
        "Kính gửi Ông/Bà {ho_ten},\n\n"
        "Hồ sơ {ma_ho_so} (thủ tục: {thu_tuc}) đã có kết quả. Mời Ông/Bà nhận kết quả tại "
        "{co_quan}.\n"
        "Tra cứu: {link_tra_cuu}\n\n"
        "Trân trọng.",
    ),
}
