"""OpenAPI examples of the dossier API (kept apart so dossiers/api.py stays readable)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample

from hanoi_cchc.api_errors import error_example
from procedures.models import Channel

CHANNELS = [(c.value, c.label) for c in Channel]

_AGENCY = {"id": 7, "name": "UBND phường Hoàn Kiếm", "identifier_code": "000.01.01.H26"}
_PROCEDURE = {"id": 12, "national_code": "1.001612", "name": "Đăng ký khai sinh"}

DOSSIER = {
    "id": 1024,
    "code": "000.01.01.H26-261127-0007",
    "status": "received",
    "status_label": "Đã tiếp nhận",
    "procedure": _PROCEDURE,
    "field": 3,
    "agency": _AGENCY,
    "current_agency": _AGENCY,
    "channel": "desk",
    "applicant_name": "Nguyễn Văn An",
    "submitted_at": "2026-11-27T09:15:00+07:00",
    "received_at": "2026-11-27T09:15:00+07:00",
    "due_at": "2026-11-30T09:15:00+07:00",
    "timeliness": "",
    "is_overdue": False,
    "sync_state": "pending",
    "synced_at": None,
    "updated_at": "2026-11-27T09:15:01+07:00",
}
DETAIL = {
    **DOSSIER,
    "applicant_kind": "person",
    "applicant_id_number": "001090012345",
    "applicant_phone": "0912345678",
    "applicant_email": "an.nguyen@example.vn",
    "applicant_address": "Số 1 phố Tràng Tiền, Hoàn Kiếm, Hà Nội",
    "documents": [{"name": "Tờ khai đăng ký khai sinh", "form": "original", "copies": 1}],
    "clock_started_at": "2026-11-27T09:15:00+07:00",
    "limit_value": "1.0",
    "limit_unit": "working_days",
    "due_explanation": {"rule": "working_days", "lines": ["Tính từ thời điểm tiếp nhận."]},
    "extended": False,
    "result_ready_at": None,
    "returned_at": None,
    "closed_at": None,
    "fee_amount": None,
    "fee_paid_at": None,
    "allowed_actions": ["start_processing", "request_supplement", "withdraw"],
    "sync": {
        "state": "pending",
        "synced_at": None,
        "pending_messages": 1,
        "last_error": "",
        "next_attempt_at": None,
    },
}

LIST_EXAMPLE = OpenApiExample(
    "Một trang (con trỏ)",
    value={
        "next": "http://127.0.0.1:8000/api/v1/dossiers/?cursor=cD0xMDI0",
        "previous": None,
        "results": [DOSSIER],
    },
    response_only=True,
    status_codes=["200"],
)
DETAIL_EXAMPLE = OpenApiExample("Hồ sơ", value=DETAIL, response_only=True, status_codes=["200"])
DETAIL_EXAMPLE_201 = OpenApiExample(
    "Đã tiếp nhận", value=DETAIL, response_only=True, status_codes=["201"]
)
SUBMITTED_EXAMPLE_201 = OpenApiExample(
    "Chờ tiếp nhận",
    value={
        **DETAIL,
        "code": None,
        "status": "submitted",
        "status_label": "Đã nộp trực tuyến, chờ tiếp nhận",
        "channel": "online",
        "received_at": None,
        "due_at": None,
        "allowed_actions": ["accept", "guide_incomplete", "refuse_intake"],
    },
    response_only=True,
    status_codes=["201"],
)

_APPLICANT = {
    "kind": "person",
    "name": "Nguyễn Văn An",
    "id_number": "001090012345",
    "phone": "0912345678",
    "email": "an.nguyen@example.vn",
    "address": "Số 1 phố Tràng Tiền, Hoàn Kiếm, Hà Nội",
}
INTAKE_REQUEST = OpenApiExample(
    "Tiếp nhận tại Một cửa",
    value={
        "procedure": 12,
        "agency": 7,
        "channel": "desk",
        "outcome": "receive",
        "applicant": _APPLICANT,
        "documents": [{"name": "Tờ khai đăng ký khai sinh", "form": "original", "copies": 1}],
        "note": "",
    },
    request_only=True,
)
ONLINE_REQUEST = OpenApiExample(
    "Nộp trực tuyến",
    value={
        "procedure": 12,
        "agency": 7,
        "channel": "online",
        "applicant": _APPLICANT,
        "documents": [{"name": "Tờ khai đăng ký khai sinh", "form": "original", "copies": 1}],
    },
    request_only=True,
)
ACTION_REQUESTS = {
    "guide_incomplete": {"content": "Thiếu bản sao Giấy chứng sinh.", "note": ""},
    "refuse_intake": {"reason": "Thủ tục không thuộc thẩm quyền của phường.", "note": ""},
    "request_supplement": {"content": "Bổ sung bản sao Giấy chứng nhận kết hôn.", "note": ""},
    "request_fee": {"fee_amount": 50000, "note": ""},
    "request_fee_on_return": {"fee_amount": 50000, "note": ""},
    "transfer": {"to_agency_id": 9, "limit_value": 3, "limit_unit": "working_days", "note": ""},
    "suspend": {"reason": "Chờ ý kiến cơ quan cấp trên.", "note": ""},
    "apologize": {
        "reason": "Cần xác minh thêm thông tin với cơ quan khác.",
        "new_due_at": "2026-12-04T17:00:00+07:00",
        "note": "",
    },
    "refuse": {"reason": "Hồ sơ không đủ điều kiện theo quy định.", "note": ""},
    "assign": {"assignee_id": 12, "note": "Giao chị Hà xử lý."},
    "accept": {
        "documents": [{"name": "Giấy chứng sinh", "form": "copy", "copies": 1}],
        "case": "",
        "note": "",
    },
    "receive_supplement": {"channel": "online", "note": ""},
}
ACTION_ERRORS = [
    error_example(
        "Không được phép ở trạng thái hiện tại",
        "transition_not_allowed",
        "Không thể “Trả kết quả” khi hồ sơ đang ở trạng thái “Đang giải quyết”.",
        status_codes=["409"],
    ),
    error_example(
        "Không có quyền với hồ sơ này",
        "permission_denied",
        "Tài khoản của bạn không có quyền thực hiện thao tác này đối với hồ sơ của cơ quan này.",
        status_codes=["403"],
    ),
    error_example(
        "Không tìm thấy hồ sơ",
        "not_found",
        "Không tìm thấy hồ sơ.",
        status_codes=["404"],
    ),
    error_example(
        "Idempotency-Key dùng lại với nội dung khác",
        "idempotency_key_reused",
        "Idempotency-Key này đã được dùng cho một yêu cầu khác (khác địa chỉ hoặc nội dung). "
        "Hãy dùng khóa mới cho yêu cầu mới.",
        status_codes=["422"],
    ),
    error_example(
        "Dữ liệu không hợp lệ",
        "invalid",
        "Dữ liệu không hợp lệ.",
        {"applicant": {"name": ["Trường này là bắt buộc."]}},
        ["400"],
    ),
    error_example(
        "Không có quyền",
        "permission_denied",
        "Bạn không có quyền thực hiện thao tác này.",
        status_codes=["403"],
    ),
    error_example("Không tìm thấy", "not_found", "Không tìm thấy.", status_codes=["404"]),
]
HISTORY_EXAMPLE = OpenApiExample(
    "Lịch sử",
    value={
        "next": None,
        "previous": None,
        "results": [
            {
                "id": 5001,
                "at": "2026-11-27T09:15:00+07:00",
                "action": "receive",
                "from_status": "",
                "to_status": "received",
                "actor": "Nguyễn Thị Bình",
                "agency": _AGENCY,
                "note": "",
                "due_before": None,
                "due_after": "2026-11-30T09:15:00+07:00",
                "data": {"code": "000.01.01.H26-261127-0007", "limit": "1.0 working_days"},
            }
        ],
    },
    response_only=True,
    status_codes=["200"],
)
DUE_EXAMPLE = OpenApiExample(
    "Hạn trả",
    value={
        "procedure": 12,
        "agency": 7,
        "channel": "desk",
        "limit_value": 5.0,
        "limit_unit": "working_days",
        "received_at": "2026-11-27T16:00:00+07:00",
        "clock_started_at": "2026-11-30T08:00:00+07:00",
        "due_at": "2026-12-04T17:00:00+07:00",
        "explanation": {
            "rule": "working_days",
            "start_reason": "after_cutoff",
            "lines": ["Tiếp nhận sau 15:00: tính từ ngày làm việc tiếp theo."],
        },
    },
    response_only=True,
    status_codes=["200"],
)
