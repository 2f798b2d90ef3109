"""Idempotent POSTs: the same Idempotency-Key and body (per user) gives the first response.

Strategy: insert first. The request runs inside one transaction that begins by inserting
its IdempotencyRecord (unique on user + key). A concurrent request with the same key
blocks on that unique index until the first one commits, then fails the insert and
replays the stored response, so the service runs exactly once however close together the
two requests arrive (PostgreSQL waits on the index entry; SQLite serialises writers with
BEGIN IMMEDIATE). If the first request fails with an exception, its record rolls back
with everything else and a retry with the same key runs again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from dossiers.models import IdempotencyRecord

from .api_errors import error_response
from .dbretry import replayable

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Khóa chống gửi trùng (tối đa 255 ký tự, ví dụ một UUID). Gửi lại cùng khóa và cùng "
        "nội dung sẽ nhận lại đúng phản hồi lần đầu, không tạo thêm gì; cùng khóa với nội "
        "dung khác trả về 422."
    ),
)


def request_fingerprint(request) -> str:
    """SHA-256 of method, path and the canonical JSON of the body."""
    data = request.data
    if hasattr(data, "getlist"):  # form-encoded QueryDict
        data = {k: data.getlist(k) for k in sorted(data.keys())}
    body = json.dumps(data, sort_keys=True, cls=JSONEncoder, ensure_ascii=False)
    raw = f"{request.method}\n{request.path}\n{body}".encode()
    return hashlib.sha256(raw).hexdigest()


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.request_hash != fingerprint:
        return error_response(
            422,
            "idempotency_key_reused",
            _(
                "Idempotency-Key này đã được dùng cho một yêu cầu khác (khác địa chỉ hoặc nội "
                "dung). Hãy dùng khóa mới cho yêu cầu mới."
            ),
        )
    if record.status_code is None:  # not reachable with insert-first, kept as a guard
        return error_response(409, "idempotency_in_progress", _("Yêu cầu đang được xử lý."))
    return Response(
        record.response_body, status=record.status_code, headers={"Idempotent-Replayed": "true"}
    )


def idempotent(request, handler: Callable[[], Response]) -> Response:
    """Run handler() once per (user, Idempotency-Key); replay its response afterwards."""
    key = request.headers.get(HEADER, "")
    if not key:
        return handler()
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        return error_response(
            400,
            "invalid",
            _("Idempotency-Key không hợp lệ (tối đa 255 ký tự in được)."),
            {HEADER: [_("Giá trị không hợp lệ.")]},
        )
    fingerprint = request_fingerprint(request)
    return _once(request, key, fingerprint, handler)


@replayable
def _once(request, key: str, fingerprint: str, handler: Callable[[], Response]) -> Response:
    """The record and the handler's work in one transaction (run again if it was lost)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=request.user,
                    key=key,
                    method=request.method,
                    path=request.path[:500],
                    request_hash=fingerprint,
                )
        except IntegrityError:
            # The first request has committed (the insert waited for it): replay it.
            existing = IdempotencyRecord.objects.get(user=request.user, key=key)
            return _replay(existing, fingerprint)

        response = handler()
        if response.status_code >= 500:
            transaction.set_rollback(True)
            return response
        record.status_code = response.status_code
        record.response_body = json.loads(json.dumps(response.data, cls=JSONEncoder))
        record.save(update_fields=["status_code", "response_body"])
        return response


def purge_expired(now=None) -> int:
    """Delete records older than IDEMPOTENCY_TTL_HOURS; returns how many were deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=getattr(settings, "IDEMPOTENCY_TTL_HOURS", 48))
    deleted, _details = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
