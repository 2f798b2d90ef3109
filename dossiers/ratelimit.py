"""Fixed-window rate limits on the Django cache, failing open when the cache is down.

No request may depend on Redis (the brief's rule): if the cache raises, the request is let
through and a warning is logged, so an outage weakens the limit but never the lookup.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)


def client_ip(request) -> str:
    """The client address as the proxy in front of us reports it, else the socket's.

    Only the last hop of X-Forwarded-For is trusted (appended by our own proxy), and only
    when RATELIMIT_TRUST_FORWARDED is set: otherwise anybody could pick their own bucket.
    """
    if getattr(settings, "RATELIMIT_TRUST_FORWARDED", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(scope: str, ident: str, window: int) -> str:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:24]
    return f"rl:{scope}:{digest}:{int(time.time() // window)}"


def hit(scope: str, ident: str, *, limit: int, window: int) -> bool:
    """Count one request; True while the caller is within `limit` per `window` seconds."""
    key = _key(scope, ident, window)
    try:
        if cache.add(key, 1, timeout=window + 5):
            return True
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window + 5)
            return True
        return count <= limit
    except Exception:
        log.warning("rate limit cache unavailable; letting %s through", scope, exc_info=True)
        return True
