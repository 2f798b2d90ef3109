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
