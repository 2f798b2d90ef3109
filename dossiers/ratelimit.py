"""Sliding-window rate limits: one Redis round trip per check, a per-process fallback.

A check names one or more rules (scope, identity, limit, window). All rules are tested and,
only when every one has room, counted, atomically, by one Lua script (a sorted set of
request times per key: at most `limit` requests in ANY `window` seconds, so no burst at a
fixed window's edge). A refused request is not counted: hammering does not extend a lock.

No request may depend on Redis: when Redis is not configured, raises, or failed less than
BREAKER_SECONDS ago, the same algorithm runs in this process's memory. The limit then
holds per process (with N processes a client gets at most N × limit), weaker but never off.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import secrets
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from redis.commands.core import Script

log = logging.getLogger(__name__)

# After a Redis failure, use the in-process limiter for this long before trying again, so
# an outage costs one socket timeout per process, not one per request.
BREAKER_SECONDS = 5.0
# The in-process fallback keeps at most this many keys (least recently used dropped).
LOCAL_MAX_KEYS = 50_000
KEY_PREFIX = "rl2"

# KEYS: one per rule. ARGV: nonce, then (limit, window in ms) per rule.
# Returns 0 when allowed (and counted), else the 1-based index of the first full rule.
_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= limit then
    return i
  end
end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, now .. ':' .. ARGV[1])
  redis.call('PEXPIRE', key, tonumber(ARGV[2 * i + 1]))
end
return 0
"""


# The bucket of requests whose address is missing or not an address.
UNKNOWN_IP = "0.0.0.0"  # noqa: S104 - a value, not a bind address


def client_ip(request) -> str:
    """The client address as the proxy in front of us reports it, else the socket's.

    Only the last hop of X-Forwarded-For is trusted (appended by our own proxy), and only
    when RATELIMIT_TRUST_FORWARDED is set: otherwise anybody could pick their own bucket.
    Always a valid address: django-axes stores it in an inet column, so anything else (no
    address, a garbled header) becomes UNKNOWN_IP, one shared bucket.
    """
    if request is None:
        return UNKNOWN_IP
    address = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "RATELIMIT_TRUST_FORWARDED", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            address = forwarded.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return UNKNOWN_IP


@dataclass(frozen=True)
class Rule:
    """At most `limit` requests per `window` seconds for `ident` within `scope`."""

    scope: str
    ident: str
    limit: int
    window: int

    @property
    def key(self) -> str:
        # Identities are user input (codes, addresses): hash them into a fixed-size key.
        digest = hashlib.sha256(self.ident.encode()).hexdigest()[:24]
        return f"{KEY_PREFIX}:{self.scope}:{digest}"


class _Local:
    """The in-process sliding log: the fallback, and the limiter when there is no Redis."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.logs: OrderedDict[str, deque] = OrderedDict()

    def check(self, rules: list[Rule], now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        with self.lock:
            for index, rule in enumerate(rules, start=1):
                times = self.logs.get(rule.key)
                if times is None:
                    continue
                while times and times[0] <= now - rule.window:
                    times.popleft()
                if len(times) >= rule.limit:
                    return index
            for rule in rules:
                times = self.logs.setdefault(rule.key, deque())
                times.append(now)
                self.logs.move_to_end(rule.key)
            while len(self.logs) > LOCAL_MAX_KEYS:
                self.logs.popitem(last=False)
        return 0

    def clear(self) -> None:
        with self.lock:
            self.logs.clear()


_local = _Local()
_state = {"down_until": 0.0}


def reset_local() -> None:
    """Forget the in-process counters (tests) and close the circuit breaker."""
    _local.clear()
    _state["down_until"] = 0.0


def _redis_client():
    """The raw redis client of the rate-limit cache, or None when it is not Redis."""
    from django.core.cache.backends.redis import RedisCache

    cache = caches[getattr(settings, "RATELIMIT_CACHE", "default")]
    if not isinstance(cache, RedisCache):
        return None
    return cache._cache.get_client(write=True)


# Built once; the sha is computed from the bytes, the client is given per call.
_script = Script(None, _SCRIPT.encode())


def _check_redis(client, rules: list[Rule]) -> int:
    """EVALSHA of the script (loaded once on NOSCRIPT): one round trip for all rules."""
    args: list = [secrets.token_hex(6)]
    for rule in rules:
        args += [rule.limit, rule.window * 1000]
    return int(_script(keys=[rule.key for rule in rules], args=args, client=client))


def _check(rules: list[Rule]) -> int:
    if time.monotonic() >= _state["down_until"]:
        try:
            client = _redis_client()
            if client is not None:
                return _check_redis(client, rules)
        except Exception:
            _state["down_until"] = time.monotonic() + BREAKER_SECONDS
            log.warning("rate limit cache unavailable; limiting in this process", exc_info=True)
    return _local.check(rules)


def check(*rules: Rule | None) -> Rule | None:
    """Count one request against every rule; None when allowed, else the first full rule.

    One Redis round trip (EVALSHA) for all the rules together, or the in-process fallback.
    """
    rules_list = [rule for rule in rules if rule is not None]
    if not rules_list:
        return None
    refused = _check(rules_list)
    return rules_list[refused - 1] if refused else None


def hit(scope: str, ident: str, *, limit: int, window: int) -> bool:
    """Count one request; True while the caller is within `limit` per `window` seconds."""
    return check(Rule(scope, ident, limit, window)) is None
