"""One error format for the whole API.

Every error body is ``{"error": {"code": ..., "message": ..., "fields": {...}}}``: a stable
machine code, a Vietnamese message for people, and per-field messages for validation
errors. The domain's errors (dossiers.errors) keep their own status and code: not found
404, not permitted 403, not allowed in this state 409, invalid input 400; nothing that
a client can provoke reaches the 500 handler with a stack trace.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from dossiers.errors import DomainError

log = logging.getLogger(__name__)


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def error_response(status_code: int, code: str, message: str, fields=None, headers=None):
    return Response(error_body(code, message, fields), status=status_code, headers=headers)


def _flatten(detail) -> dict | list | str:
    """DRF's nested ErrorDetail structures as plain strings, lists and dicts."""
    if isinstance(detail, dict):
        return {str(k): _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_flatten(v) for v in detail]
    return force_str(detail)


# Vietnamese messages for DRF's generic error codes (DRF's own text may be in English).
_MESSAGES = {
    "not_authenticated": gettext_lazy("Bạn cần đăng nhập để dùng chức năng này."),
    "authentication_failed": gettext_lazy("Thông tin đăng nhập không hợp lệ."),
    "permission_denied": gettext_lazy("Bạn không có quyền thực hiện thao tác này."),
    "not_found": gettext_lazy("Không tìm thấy."),
    "method_not_allowed": gettext_lazy("Phương thức không được hỗ trợ."),
    "not_acceptable": gettext_lazy("Không đáp ứng được định dạng yêu cầu."),
    "unsupported_media_type": gettext_lazy("Định dạng dữ liệu gửi lên không được hỗ trợ."),
    "throttled": gettext_lazy("Quá nhiều yêu cầu, vui lòng thử lại sau."),
    "parse_error": gettext_lazy("Dữ liệu gửi lên không đúng định dạng JSON."),
}


def bad_input_response(exc, context):
    """sec (issue 12): what slips past validation into the database or the standard library
    (see hanoi_cchc.bad_input) is a 400 in the one format, logged; None for anything else."""
    from hanoi_cchc.bad_input import api_error_body, is_bad_input, log_bad_input

    if isinstance(exc, DjangoValidationError) or not is_bad_input(exc):
        return None
    request = context.get("request")
    if request is not None:
        log_bad_input(request, exc)
    return Response(api_error_body(), status=status.HTTP_400_BAD_REQUEST)


def exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: map every known error to the one format."""
    if isinstance(exc, DomainError):
        # dossiers.errors: NotFound 404, NotPermitted 403, NotAllowedInState 409,
        # InvalidInput 400, each with its stable code, the message and per-field messages.
        return error_response(exc.status_code, exc.code, exc.message, exc.fields)
    bad_input = bad_input_response(exc, context)
    if bad_input is not None:
        return bad_input
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        message = "; ".join(exc.messages) if not fields else _("Dữ liệu không hợp lệ.")
        return error_response(status.HTTP_400_BAD_REQUEST, "invalid", message, fields)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django's 500 handler logs it (no details in production)

    if isinstance(exc, exceptions.ValidationError):
        detail = _flatten(exc.detail)
        if isinstance(detail, dict):
            fields = detail
            non_field = fields.pop("non_field_errors", None)
            message = "; ".join(non_field) if non_field else _("Dữ liệu không hợp lệ.")
        else:
            fields = {}
            message = "; ".join(detail) if isinstance(detail, list) else str(detail)
        response.data = error_body("invalid", message, fields)
        return response

    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    code = codes if isinstance(codes, str) else "error"
    message = force_str(_MESSAGES.get(code) or getattr(exc, "detail", "") or code)
    response.data = error_body(code, message)
    return response


# For the OpenAPI schema: the one error body, documented once and reused by every view.
ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorDetail",
            fields={
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "fields": serializers.DictField(child=serializers.JSONField()),
            },
        )
    },
)


def error_example(name, code, message, fields=None, status_codes=None):
    return OpenApiExample(
        name,
        value=error_body(code, message, fields),
        response_only=True,
        status_codes=status_codes,
    )


ERROR_EXAMPLES = [
    error_example(
        "Dữ liệu không hợp lệ",
        "invalid",
        "Dữ liệu không hợp lệ.",
        {"applicant": {"name": ["Trường này là bắt buộc."]}},
        ["400"],
    ),
    error_example("Không tìm thấy", "not_found", "Không tìm thấy.", status_codes=["404"]),
    error_example(
        "Không có quyền",
        "permission_denied",
        "Bạn không có quyền thực hiện thao tác này.",
        status_codes=["403"],
    ),
]


def error_responses(*codes: int) -> dict:
    """`responses=` entries for extend_schema: each listed status uses the error body."""
    descriptions = {
        400: _("Dữ liệu không hợp lệ"),
        401: _("Chưa đăng nhập"),
        403: _("Không có quyền"),
        404: _("Không tìm thấy (hoặc ngoài phạm vi cơ quan của bạn)"),
        409: _("Thao tác không được phép ở trạng thái hiện tại"),
        422: _("Idempotency-Key đã dùng cho một yêu cầu khác"),
    }
    return {c: OpenApiResponse(ErrorSerializer, description=descriptions.get(c, "")) for c in codes}


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: too many failed logins. JSON error under /api/, text elsewhere."""
    from django.conf import settings
    from django.http import HttpResponse, JsonResponse

    minutes = round(float(getattr(settings, "AXES_COOLOFF_TIME", 0.5) or 0) * 60)
    message = _(
        "Tài khoản tạm bị khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau %(minutes)s "
        "phút hoặc liên hệ quản trị hệ thống."
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("locked_out", message), status=429)
    return HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
