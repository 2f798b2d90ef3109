"""Project middleware."""

from django.utils.deprecation import MiddlewareMixin


class VietnameseFirstMiddleware(MiddlewareMixin):
    """Pages are Vietnamese unless the visitor chose English with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language header, so a
    citizen whose browser is set to English would land on an English portal; the choice is
    theirs to make (the switch sets a cookie), not their browser's. API clients keep the
    header: a system may ask for English error messages.
    """

    def process_request(self, request):
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)


# --- sec (issue 12): request sanitising and the net for bad input on pages.
class HostileInputMiddleware:
    """Refuse what no page or API operation accepts, before any view sees it.

    - a NUL byte anywhere in the path, the query string or a form field: PostgreSQL cannot
      store it and no legitimate value holds one;
    - a body larger than the request may carry: ``MAX_REQUEST_BODY_BYTES`` everywhere,
      ``MAX_UPLOAD_BODY_BYTES`` on the few pages that take a file (``UPLOAD_PATHS``), read
      from Content-Length so nothing is parsed first (an anonymous 10 MB multipart body to
      the lookup was parsed in full);
    - and, in ``process_exception``, what still slips through from a page's view (see
      ``hanoi_cchc.bad_input``) becomes our 400 page instead of a 500.
    """

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.max_body = settings.MAX_REQUEST_BODY_BYTES
        self.max_upload = settings.MAX_UPLOAD_BODY_BYTES
        self.upload_paths = tuple(settings.UPLOAD_PATHS)

    def __call__(self, request):
        from .bad_input import bad_request

        refusal = self._refuse(request)
        if refusal is not None:
            return bad_request(request, *refusal)
        return self.get_response(request)

    def _refuse(self, request):
        from urllib.parse import unquote_to_bytes

        from django.utils.translation import gettext as _

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return 400, None
        limit = self.max_upload if request.path.startswith(self.upload_paths) else self.max_body
        if length > limit:
            return 413, _("Dữ liệu gửi lên quá lớn.")
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path_info or b"\x00" in unquote_to_bytes(query):
            return 400, None
        return None

    def process_view(self, request, view_func, view_args, view_kwargs):
        """NUL bytes in form fields: checked once the view is known, so that a view's own
        tighter body limit (hanoi_cchc.bodylimit, an earlier process_view) refuses a large
        body before anything here parses it."""
        from django.http.multipartparser import MultiPartParserError

        from .bad_input import bad_request

        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            try:
                values = [v for vs in request.POST.lists() for v in vs[1]]
            except (MultiPartParserError, UnicodeError, ValueError):
                return bad_request(request, 400, None)
            if any("\x00" in v for v in values):
                return bad_request(request, 400, None)
        return None

    def process_exception(self, request, exc):
        from .bad_input import bad_request, is_bad_input, log_bad_input

        if request.path.startswith("/api/") or not is_bad_input(exc):
            return None  # the API's exception handler answers there; real bugs stay 500s
        log_bad_input(request, exc)
        return bad_request(request)


class ContentSecurityPolicyMiddleware:
    """The Content-Security-Policy of every HTML page (settings.CONTENT_SECURITY_POLICY).

    No 'unsafe-inline': scripts and styles come from static files only, so an injected
    <script> or style attribute does nothing. A view that needs another policy (the API
    docs) sets its own header, which is kept.
    """

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if (
            self.policy
            and "Content-Security-Policy" not in response
            and response.get("Content-Type", "").startswith("text/html")
        ):
            response["Content-Security-Policy"] = self.policy
        return response
