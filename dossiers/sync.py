"""Delivery of the outbox to DVCQG (Cổng Dịch vụ công quốc gia).

Rules:
- In order per dossier: the oldest undelivered row first; the first failure stops that
  dossier's delivery so a later change never overtakes an earlier one.
- At most one deliverer per dossier at a time (a PostgreSQL advisory lock; elsewhere the
  database serialises writers anyway), and no lock held on the dossier row during the HTTP
  call, so officials keep working while DVCQG is slow.
- At least once on our side, exactly once on theirs: every POST carries the row's
  dedup_key (Idempotency-Key and X-Dedup-Key headers), which DVCQG de-duplicates.
- A failure counts an attempt, stores the error and backs off exponentially
  (DVCQG_RETRY_BASE_SECONDS · 2^(attempts-1), capped at DVCQG_RETRY_MAX_SECONDS).
- Dossier.sync_state/synced_at tell officials where the dossier stands.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .models import Dossier, OutboxMessage

log = logging.getLogger(__name__)

# Namespace of our advisory locks ("DVCQ" in ASCII): keeps them apart from anyone else's.
_LOCK_NAMESPACE = 0x44564351


class DeliveryError(Exception):
    """DVCQG did not acknowledge a message (network error, timeout or non-2xx answer)."""


@dataclass
class DeliveryResult:
    delivered: int = 0
    pending: int = 0
    # Seconds until the next attempt is due; None when nothing is left or waiting.
    retry_in: float | None = None
    busy: bool = False
    error: str = ""


def backoff_seconds(attempts: int, *, base: float | None = None, cap: float | None = None) -> float:
    """Exponential backoff with ±10 % jitter so a recovered DVCQG isn't hit all at once.

    `base` and `cap` default to the DVCQG settings; the applicant notifications pass theirs.
    """
    base = settings.DVCQG_RETRY_BASE_SECONDS if base is None else base
    cap = settings.DVCQG_RETRY_MAX_SECONDS if cap is None else cap
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    return max(1.0, delay * random.uniform(0.9, 1.1))


def envelope(message: OutboxMessage) -> dict:
    """What we POST: the outbox payload with the identifiers DVCQG orders and dedups by."""
    return {
        "dedup_key": message.dedup_key,
        "message_id": message.pk,
        "dossier_id": message.dossier_id,
        "kind": message.kind,
        "created_at": message.created_at.isoformat(),
        "payload": message.payload,
    }


def post_to_dvcqg(message: OutboxMessage) -> None:
    """POST one message; raise DeliveryError unless DVCQG answers 2xx."""
    body = json.dumps(envelope(message), ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Idempotency-Key": message.dedup_key,
        "X-Dedup-Key": message.dedup_key,
    }
    if settings.DVCQG_TOKEN:
        headers["Authorization"] = f"Bearer {settings.DVCQG_TOKEN}"
    request = urllib.request.Request(  # noqa: S310 - the endpoint is our own setting
        settings.DVCQG_ENDPOINT, data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.DVCQG_TIMEOUT) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}: {exc.reason}") from exc
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


@contextlib.contextmanager
def dossier_sync_lock(dossier_id: int, namespace: int = _LOCK_NAMESPACE):
    """Yield True if this process may deliver the dossier's outbox now, else False.

    Another deliverer (the applicant notifications) passes its own `namespace`, so the two
    never wait for each other.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    key = dossier_id & 0x7FFFFFFF  # a collision only delays a dossier until the next kick
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [namespace, key])
        got = cursor.fetchone()[0]
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [namespace, key])


def pending_for(dossier_id: int):
    return OutboxMessage.objects.filter(
        dossier_id=dossier_id, delivered_at__isnull=True, demo=False
    ).order_by("id")


def _set_state(dossier_id: int, state: str, *, synced_at: datetime | None = None) -> None:
    # updated_at moves too: the statistics sweep finds changed dossiers by it, and "synced
    # to DVCQG" is one of the counted figures.
    fields = {"sync_state": state, "updated_at": timezone.now()}
    if synced_at is not None:
        fields["synced_at"] = synced_at
    qs = Dossier.objects.filter(pk=dossier_id)
    if state == Dossier.SyncState.SYNCED:
        # Only if nothing new arrived meanwhile; a new row brings its own kick.
        qs = qs.filter(~Exists(pending_for(dossier_id).filter(dossier_id=OuterRef("pk"))))
    qs.exclude(sync_state=Dossier.SyncState.NOT_REQUIRED).update(**fields)


def deliver_pending(*, dossier_id: int, now: datetime | None = None) -> DeliveryResult:
    """Deliver the dossier's undelivered outbox rows in order; stop at the first failure.

    Side effects: OutboxMessage.delivered_at/attempts/next_attempt_at/last_error and
    Dossier.sync_state/synced_at. Safe to run twice or concurrently (advisory lock).
    """
    result = DeliveryResult()
    if not settings.DVCQG_ENDPOINT:
        result.pending = pending_for(dossier_id).count()
        result.error = "DVCQG_ENDPOINT is not configured"
        return result
    with dossier_sync_lock(dossier_id) as got:
        if not got:
            result.busy = True
            return result
        while True:
            message = pending_for(dossier_id).first()
            if message is None:
                _set_state(dossier_id, Dossier.SyncState.SYNCED, synced_at=timezone.now())
                return result
            current = now or timezone.now()
            if message.next_attempt_at and message.next_attempt_at > current:
                if message.attempts:
                    # A new change set the dossier back to pending; it is still failing.
                    _set_state(dossier_id, Dossier.SyncState.FAILED)
                result.pending = pending_for(dossier_id).count()
                result.retry_in = (message.next_attempt_at - current).total_seconds()
                return result
            try:
                post_to_dvcqg(message)
            except DeliveryError as exc:
                attempts = message.attempts + 1
                delay = backoff_seconds(attempts)
                OutboxMessage.objects.filter(pk=message.pk).update(
                    attempts=attempts,
                    last_error=str(exc)[:2000],
                    next_attempt_at=timezone.now() + timedelta(seconds=delay),
                )
                _set_state(dossier_id, Dossier.SyncState.FAILED)
                log.warning(
                    "DVCQG delivery of %s failed (attempt %s): %s", message.dedup_key, attempts, exc
                )
                result.pending = pending_for(dossier_id).count()
                result.retry_in = delay
                result.error = str(exc)
                return result
            with transaction.atomic():
                OutboxMessage.objects.filter(pk=message.pk).update(
                    delivered_at=timezone.now(),
                    attempts=message.attempts + 1,
                    last_error="",
                    next_attempt_at=None,
                )
            result.delivered += 1


def due_dossier_ids(*, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Dossiers whose oldest undelivered row may be tried now (for the periodic sweep)."""
    now = now or timezone.now()
    ready = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return list(
        OutboxMessage.objects.filter(ready, delivered_at__isnull=True, demo=False)
        .order_by("dossier_id")
        .values_list("dossier_id", flat=True)
        .distinct()[:limit]
    )
