"""Refuse large request bodies before anything parses them, on views that take no upload.

Django parses a multipart body (writing its files to disk) as soon as anything reads
request.POST, and CsrfViewMiddleware does that before the view runs. A view marked with
`small_body` gets 413 from this middleware, which must come before CsrfViewMiddleware,
when the declared length is above its limit (a body without a length is not read at all:
Django reads CONTENT_LENGTH bytes).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _

ATTRIBUTE = "max_body_bytes"


def small_body(max_bytes: int = 8 * 1024):
    """Mark a view that takes only a small form: larger bodies get 413, unread."""

    def mark(view):
        setattr(view, ATTRIBUTE, max_bytes)
        return view

    return mark


class BodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        limit = getattr(view_func, ATTRIBUTE, None)
        if limit is None:
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = limit + 1
        if length > limit:
            return HttpResponse(
                _("Dữ liệu gửi lên quá lớn hoặc không đúng dạng."),
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return None
