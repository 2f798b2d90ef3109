"""Delivery of the applicant's messages: e-mail through Django's backends, SMS over HTTP.

The rules of the DVCQG outbox (dossiers.sync), whose helpers this reuses:
- In order per dossier and channel: the oldest pending message first, and a failure stops
  that channel of that dossier, so "result ready" never arrives before "received".
- One deliverer per dossier at a time (an advisory lock in its own namespace), no row lock
  held during the SMTP or HTTP call.
- A failure counts an attempt, keeps the error and backs off exponentially
  (NOTIFY_RETRY_BASE_SECONDS · 2^(attempts-1), capped at NOTIFY_RETRY_MAX_SECONDS); after
  NOTIFY_MAX_ATTEMPTS, or when the gateway refuses the message itself (HTTP 4xx), the
  message is marked failed and the next one goes.
- At least once on our side; the SMS carries an Idempotency-Key so a gateway that
  de-duplicates turns a retry after a lost answer into exactly once.
"""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.utils import timezone

from ..sync import backoff_seconds, dossier_sync_lock
from .choices import MsgChannel
from .models import Notification

log = logging.getLogger(__name__)

# Namespace of the notification advisory locks ("SMSN" in ASCII), apart from DVCQG's.
_LOCK_NAMESPACE = 0x534D534E
State = Notification.State


class SendError(Exception):
    """The message was not accepted; `permanent` when retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0
    pending: int = 0
    retry_in: float | None = None
    busy: bool = False
    errors: list[str] = field(default_factory=list)


def send_email(message: Notification) -> None:
    """One e-mail through the configured backend (console/file by default, SMTP if set)."""
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={"X-CCHC-Notification": message.dedup_key},
    )
    try:
        connection = get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT)
    except TypeError:  # a backend without a timeout option (locmem, console)
        connection = get_connection(fail_silently=False)
    try:
        sent = connection.send_messages([email])
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendError(f"recipient refused: {exc.recipients}", permanent=True) from exc
    except (smtplib.SMTPException, OSError) as exc:  # socket timeouts are OSError
        raise SendError(f"{type(exc).__name__}: {exc}") from exc
    if not sent:
        raise SendError("the e-mail backend sent nothing")


def send_sms(message: Notification) -> None:
    """POST one SMS to the gateway; raise SendError unless it answers 2xx."""
    body = json.dumps(
        {
            "id": message.dedup_key,
            "to": message.recipient,
            "from": settings.SMS_SENDER,
            "text": message.body,
        },
        ensure_ascii=False,
    ).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Idempotency-Key": message.dedup_key,
    }
    if settings.SMS_GATEWAY_TOKEN:
        headers["Authorization"] = f"Bearer {settings.SMS_GATEWAY_TOKEN}"
    request = urllib.request.Request(  # noqa: S310 - the endpoint is our own setting
        settings.SMS_GATEWAY_URL, data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.SMS_GATEWAY_TIMEOUT) as answer:  # noqa: S310
            answer.read()
    except urllib.error.HTTPError as exc:
        # 4xx: the gateway refuses this message (bad number, blocked sender): retrying the
        # same request cannot help, except for a timeout or a rate limit.
        permanent = 400 <= exc.code < 500 and exc.code not in {408, 429}
        raise SendError(f"HTTP {exc.code}: {exc.reason}", permanent=permanent) from exc
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise SendError(f"{type(exc).__name__}: {exc}") from exc


SENDERS = {MsgChannel.EMAIL: send_email, MsgChannel.SMS: send_sms}


def _pending(dossier_id: int, channel: str):
    return Notification.objects.filter(
        dossier_id=dossier_id, channel=channel, state=State.PENDING
    ).order_by("id")


def _deliver_channel(dossier_id: int, channel: str, now: datetime | None, out: Delivery) -> None:
    while True:
        message = _pending(dossier_id, channel).first()
        if message is None:
            return
        current = now or timezone.now()
        if message.next_attempt_at and message.next_attempt_at > current:
            wait = (message.next_attempt_at - current).total_seconds()
            out.retry_in = wait if out.retry_in is None else min(out.retry_in, wait)
            out.pending += _pending(dossier_id, channel).count()
            return
        if channel == MsgChannel.SMS and not settings.SMS_GATEWAY_URL:
            out.pending += _pending(dossier_id, channel).count()
            out.errors.append("SMS_GATEWAY_URL is not configured")
            return
        attempts = message.attempts + 1
        try:
            SENDERS[channel](message)
        except SendError as exc:
            give_up = exc.permanent or attempts >= settings.NOTIFY_MAX_ATTEMPTS
            delay = backoff_seconds(
                attempts,
                base=settings.NOTIFY_RETRY_BASE_SECONDS,
                cap=settings.NOTIFY_RETRY_MAX_SECONDS,
            )
            Notification.objects.filter(pk=message.pk, state=State.PENDING).update(
                attempts=attempts,
                last_error=str(exc)[:2000],
                state=State.FAILED if give_up else State.PENDING,
                next_attempt_at=None if give_up else timezone.now() + timedelta(seconds=delay),
            )
            log.warning(
                "notification %s (%s) failed, attempt %s: %s", message.pk, channel, attempts, exc
            )
            out.errors.append(str(exc))
            if give_up:
                out.failed += 1
                continue  # this one is settled; the next message may go
            out.pending += _pending(dossier_id, channel).count()
            out.retry_in = delay if out.retry_in is None else min(out.retry_in, delay)
            return
        Notification.objects.filter(pk=message.pk).update(
            state=State.SENT,
            sent_at=timezone.now(),
            attempts=attempts,
            last_error="",
            next_attempt_at=None,
        )
        out.sent += 1


def deliver_pending(*, dossier_id: int, now: datetime | None = None) -> Delivery:
    """Send the dossier's pending messages in order per channel; stop a channel at a failure.

    Side effects: e-mails and SMS; Notification.state/attempts/next_attempt_at/sent_at/
    last_error. Safe to run twice or concurrently (advisory lock per dossier).
    """
    out = Delivery()
    # Every change of a dossier kicks this task; most have nothing to send (partial index).
    if not Notification.objects.filter(dossier_id=dossier_id, state=State.PENDING).exists():
        return out
    with dossier_sync_lock(dossier_id, namespace=_LOCK_NAMESPACE) as got:
        if not got:
            out.busy = True
            return out
        for channel in (MsgChannel.SMS, MsgChannel.EMAIL):
            _deliver_channel(dossier_id, channel, now, out)
    return out


def due_dossier_ids(*, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Dossiers with a pending message that may be tried now (for the periodic sweep)."""
    now = now or timezone.now()
    ready = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return list(
        Notification.objects.filter(ready, state=State.PENDING)
        .order_by("dossier_id")
        .values_list("dossier_id", flat=True)
        .distinct()[:limit]
    )
