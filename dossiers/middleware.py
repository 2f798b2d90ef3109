"""The domain's errors on HTML pages, mapped once (the API maps them in
hanoi_cchc.api_errors).

A view may catch the errors its user can correct (a state or input refusal) to show the
message beside the form; anything else raised by a service or selector arrives here:
NotFound → the 404 page, NotPermitted → the 403 page, NotAllowedInState / InvalidInput →
the message, then back to where the user came from (a POST) or a 409 / 400 page (a GET).
Never a 500 for what a user can provoke.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import DomainError, NotFound, NotPermitted


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        if isinstance(exception, NotFound):
            return response_for_exception(request, Http404(exception.message))
        if isinstance(exception, NotPermitted):
            return response_for_exception(request, PermissionDenied(exception.message))
        if request.method == "POST":
            messages.error(request, exception.message)
            back = request.META.get("HTTP_REFERER", "")
            safe = url_has_allowed_host_and_scheme(
                back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
            return redirect(back if back and safe else request.path)
        return HttpResponse(
            exception.message,
            status=exception.status_code,
            content_type="text/plain; charset=utf-8",
        )
