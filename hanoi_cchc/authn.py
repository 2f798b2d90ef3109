"""Authentication hardening (issue 12): lockouts, expiring API tokens, the token throttle.

- Logins (page and API token) are locked per username + client address by django-axes, and
  per account across addresses by `LockoutBackend` (ACCOUNT_LOCKOUT_LIMIT failures within
  AXES_COOLOFF_MINUTES). Both key on `dossiers.ratelimit.client_ip`.
- API tokens expire after API_TOKEN_TTL_HOURS and are deleted when the password changes or
  the account is deactivated (signal below), so a leaked token dies with the old password.
- The token endpoint's throttle keys on the real client address and, when the cache
  (Redis) is down, falls back to a per-process memory cache: it still limits, never 500s.
"""

from __future__ import annotations

import ipaddress
import logging
from datetime import timedelta

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache.backends.locmem import LocMemCache
from django.db.models import Sum
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.throttling import ScopedRateThrottle

from dossiers.ratelimit import client_ip

log = logging.getLogger(__name__)


# --- account-level lockout -----------------------------------------------------------------


def axes_client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: `client_ip`, or None when that is not an IP address.

    Axes stores the address in an inet column on PostgreSQL: client_ip's "unknown" (no
    REMOTE_ADDR, e.g. force_login) or a garbled trusted X-Forwarded-For would fail the
    login with a DataError instead of being recorded without an address.
    """
    ip = client_ip(request)
    try:
        ipaddress.ip_address(ip)
    except ValueError:
        return None
    return ip


def account_failures(username: str) -> int:
    """Failed logins on `username` from every address within the cool-off period."""
    since = timezone.now() - timedelta(hours=float(settings.AXES_COOLOFF_TIME or 0))
    total = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return total or 0


class LockoutBackend(AxesStandaloneBackend):
    """Axes' per-username-and-address lock, plus a lock of the account across addresses.

    Without the second, ten addresses put 50 guesses on one account within seconds (attack
    report). Its limit is higher than the per-address one so that a single stranger
    cannot lock an official out; the lock lifts after the same cool-off.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        super().authenticate(request, username=username, password=password, **kwargs)
        if not settings.AXES_ENABLED or not username:
            return None
        if account_failures(username) >= settings.ACCOUNT_LOCKOUT_LIMIT:
            request.axes_locked_out = True
            raise AxesBackendPermissionDenied("account locked after failures from many addresses")
        return None


# --- expiring, revocable API tokens ----------------------------------------------------------


def token_expired(token: Token, *, now=None) -> bool:
    ttl = timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    return token.created + ttl <= (now or timezone.now())


def issue_token(user) -> Token:
    """The user's token, replaced by a fresh one if it has expired."""
    token, created = Token.objects.get_or_create(user=user)
    if not created and token_expired(token):
        Token.objects.filter(pk=token.pk).delete()
        # get_or_create: a concurrent request may have issued the new one already.
        token, _created = Token.objects.get_or_create(user=user)
    return token


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing tokens older than API_TOKEN_TTL_HOURS."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed(_("Token đã hết hạn."))
        return user, token


@receiver(pre_save, sender=get_user_model(), dispatch_uid="ops_revoke_tokens")
def revoke_tokens_on_credentials_change(sender, instance, raw=False, **kwargs):
    """A password change or a deactivation deletes the account's API tokens."""
    if raw or instance.pk is None:
        return
    before = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    if before["password"] != instance.password or (before["is_active"] and not instance.is_active):
        Token.objects.filter(user_id=instance.pk).delete()


# --- the token endpoint's throttle -----------------------------------------------------------

# Used only while the shared cache is unreachable: limits per process instead of not at all.
_fallback_cache = LocMemCache("hanoi-cchc-throttle-fallback", {"MAX_ENTRIES": 10000})


class ClientAddressThrottle(ScopedRateThrottle):
    """ScopedRateThrottle keyed on the real client address, surviving a cache outage."""

    def get_ident(self, request):
        return client_ip(getattr(request, "_request", request))

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # Redis down: the limit must hold, the request must not fail
            log.warning("throttle cache unavailable; limiting per process", exc_info=True)
            self.cache = _fallback_cache
            return super().allow_request(request, view)
