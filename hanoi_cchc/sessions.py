"""Sessions renewed by activity at most once a minute, not written on every request.

SESSION_SAVE_EVERY_REQUEST wrote the session row on every page an official opened: an
UPDATE and a commit per request on the hottest pages (bench/RESULTS.md, issue 10). The
inactivity timeout only needs the expiry pushed forward now and then: this middleware
marks a non-empty session modified when it was last saved more than
SESSION_TOUCH_SECONDS ago, so SessionMiddleware saves it (and renews the expiry) then.
Sessions expire after SESSION_COOKIE_AGE of inactivity, give or take SESSION_TOUCH_SECONDS.
An anonymous visitor without a session gets none: an empty session is never saved.
"""

from __future__ import annotations

import time

from django.conf import settings

TOUCHED = "_touched"


class SessionTouchMiddleware:
    """Goes right after SessionMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # A session nobody read this request (the citizen's pages) is left alone, unloaded.
        if session is None or not session.accessed or session.is_empty():
            return response
        now = int(time.time())
        every = getattr(settings, "SESSION_TOUCH_SECONDS", 60)
        if session.modified or now - int(session.get(TOUCHED, 0) or 0) >= every:
            session[TOUCHED] = now
        return response
