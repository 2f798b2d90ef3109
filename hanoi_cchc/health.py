"""Health of the moving parts, for monitoring (/healthz) and the admin alert (issue 12).

Every check is bounded in time and none raises: a check that fails is reported as such.
Redis and the database are probed with short timeouts so that /healthz answers within a
couple of seconds even when both are gone.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)

OUTBOX_SWEEP = "dossiers.sweep_outbox"


def beat(name: str, detail: dict | None = None) -> None:
    """Record that the periodic job `name` ran to the end now (never raises)."""
    from .models import Heartbeat

    try:
        Heartbeat.objects.update_or_create(
            name=name, defaults={"at": timezone.now(), "detail": detail or {}}
        )
    except Exception:
        log.warning("could not record heartbeat of %s", name, exc_info=True)


def outbox_lag_seconds() -> float | None:
    """Age in seconds of the oldest outbox row not yet delivered to DVCQG; None if none."""
    from dossiers.models import OutboxMessage

    oldest = (
        OutboxMessage.objects.filter(delivered_at__isnull=True)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return None if oldest is None else max(0.0, (timezone.now() - oldest).total_seconds())


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True}
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}


def _check_redis() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "configured": False}
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5
        )
        try:
            client.ping()
        finally:
            client.close()
        return {"ok": True, "configured": True}
    except Exception as exc:
        return {"ok": False, "configured": True, "error": type(exc).__name__}


def _check_outbox() -> dict:
    try:
        lag = outbox_lag_seconds()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    limit = settings.OUTBOX_LAG_ALERT_SECONDS
    return {
        "ok": lag is None or lag <= limit,
        "oldest_undelivered_seconds": None if lag is None else round(lag, 1),
        "limit_seconds": limit,
    }


def _check_sweep() -> dict:
    from .models import Heartbeat

    limit = settings.HEALTH_SWEEP_MAX_AGE_SECONDS
    try:
        at = Heartbeat.objects.filter(name=OUTBOX_SWEEP).values_list("at", flat=True).first()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    if at is None:
        # Never ran: fine for a portal without DVCQG sync or before beat's first tick.
        return {"ok": not settings.DVCQG_ENDPOINT, "last_run": None, "limit_seconds": limit}
    age = (timezone.now() - at).total_seconds()
    return {
        "ok": age <= limit,
        "last_run": at.isoformat(),
        "age_seconds": round(age, 1),
        "limit_seconds": limit,
    }


def health() -> dict:
    started = time.monotonic()
    checks = {"database": _check_database(), "redis": _check_redis()}
    if checks["database"]["ok"]:
        checks["outbox"] = _check_outbox()
        checks["sweep"] = _check_sweep()
    else:
        checks["outbox"] = checks["sweep"] = {"ok": False, "error": "database unavailable"}
    return {
        "ok": all(check["ok"] for check in checks.values()),
        "checks": checks,
        "at": timezone.now().isoformat(),
        "took_ms": round((time.monotonic() - started) * 1000, 1),
    }


@never_cache
@require_GET
def healthz(request):
    """200 when every check passes, else 503; JSON either way. For monitoring: Redis down
    gives 503 here although pages keep working, so do not route traffic on it."""
    report = health()
    return JsonResponse(report, status=200 if report["ok"] else 503)


def outbox_alert() -> dict | None:
    """What the admin shows when DVCQG delivery lags more than OUTBOX_LAG_ALERT_SECONDS."""
    from dossiers.models import OutboxMessage

    try:
        lag = outbox_lag_seconds()
    except Exception:
        log.warning("outbox lag unavailable for the admin alert", exc_info=True)
        return None
    if lag is None or lag <= settings.OUTBOX_LAG_ALERT_SECONDS:
        return None
    pending = OutboxMessage.objects.filter(delivered_at__isnull=True).count()
    return {"minutes": int(lag // 60), "pending": pending}
