"""Bad input is a 4xx, never a 500 (issue 12).

Validation at the edges catches what it can (forms, serializers, ``parse_id``); this module
is the net under it. The exceptions below are what a crafted request provokes when a value
slips past validation into the database or the standard library: a number or text past a
column's range, a NUL byte PostgreSQL cannot store, a structure nested past Python's
recursion limit, bytes that are not UTF-8. They become a 400 (the API's error body under
/api/, our error page elsewhere) and are logged with the traceback, so the missing
validation can still be found and added.
"""

from __future__ import annotations

import logging

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import DataError
from django.http import JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

log = logging.getLogger("hanoi_cchc.bad_input")

# Two ValueErrors are the request's doing: psycopg refusing a NUL byte in text, and a model
# field refusing a lookup value ("Field 'id' expected a number but got '%'", as Django's
# admin autocomplete widget raises when it redisplays a form with a garbage id). The other
# ValueErrors say nothing about the request, so they stay 500s (real bugs).
BAD_VALUE_MESSAGES = ("NUL (0x00)", "null character", "embedded null", "expected a number but got")


def is_bad_input(exc: BaseException) -> bool:
    """Was ``exc`` provoked by the request's values rather than by our code?"""
    if isinstance(exc, DataError | OverflowError | RecursionError | UnicodeError):
        return True
    if isinstance(exc, ValidationError):
        return True
    if isinstance(exc, FieldDoesNotExist):
        # Our code names fields literally; a request names one through the admin's
        # _to_field parameter, which Django looks up unchecked when it is empty.
        return True
    return isinstance(exc, ValueError) and any(m in str(exc) for m in BAD_VALUE_MESSAGES)


def api_error_body(message: str | None = None) -> dict:
    return {
        "error": {
            "code": "invalid",
            "message": message or _("Dữ liệu gửi lên không hợp lệ."),
            "fields": {},
        }
    }


def bad_request(request, status: int = 400, message: str | None = None):
    """The 4xx answer to bad input: JSON under /api/, our error page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(api_error_body(message), status=status)
    from django.http import HttpResponse

    body = loader.render_to_string("400.html", {"message": message}, request=request)
    return HttpResponse(body, status=status)


def log_bad_input(request, exc: BaseException) -> None:
    log.warning(
        "Bad input turned into a 400: %s %s (%s)",
        request.method,
        request.path[:200],
        type(exc).__name__,
        exc_info=(type(exc), exc, exc.__traceback__),
    )


# Axes stores the username of every failed login in a 255-character column; a longer one
# (nobody's: Django's usernames stop at 150) raised DataError on the login pages (a 500).
AXES_USERNAME_MAX = 150


def axes_username(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE: the submitted username, cut to what a username can be."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", request.POST).get("username")
    if not isinstance(username, str):
        return username
    return username.replace("\x00", "")[:AXES_USERNAME_MAX]
