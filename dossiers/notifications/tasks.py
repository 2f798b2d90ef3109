"""Celery tasks of the notifications (thin: ids in, one service call, retries owned here)."""

from __future__ import annotations

import logging

from celery import shared_task

from . import delivery

log = logging.getLogger(__name__)


@shared_task(name="dossiers.notify_deliver", bind=True, acks_late=True, max_retries=8)
def deliver_notifications(self, dossier_id: int) -> dict:
    """Send one dossier's pending messages, retrying with back-off.

    After max_retries the sweep keeps trying (rows keep their next_attempt_at), so giving
    up here never loses a message.
    """
    result = delivery.deliver_pending(dossier_id=dossier_id)
    # In-process (eager) runs never sleep in a request: the sweep retries for them.
    retrying = not self.request.is_eager and self.request.retries < self.max_retries
    if retrying and result.busy:
        raise self.retry(countdown=2)
    if retrying and result.retry_in is not None:
        raise self.retry(countdown=result.retry_in)
    return {"sent": result.sent, "failed": result.failed, "pending": result.pending}


@shared_task(name="dossiers.notify_sweep", acks_late=True)
def sweep_notifications(limit: int = 1000) -> dict:
    """Beat: re-kick dossiers whose messages are due (their kick was lost or is retrying)."""
    ids = delivery.due_dossier_ids(limit=limit)
    kicked = 0
    for dossier_id in ids:
        try:
            deliver_notifications.delay(dossier_id)
            kicked += 1
        except Exception:  # broker down: the next sweep tries again
            log.warning("sweep could not enqueue notifications of %s", dossier_id, exc_info=True)
            break
    # Today's reminder e-mails that failed (SMTP down at the morning run).
    from .reminders import unsent_today

    retried = 0
    for digest_id in unsent_today():
        try:
            send_reminder.delay(digest_id)
            retried += 1
        except Exception:
            log.warning("sweep could not enqueue reminder %s", digest_id, exc_info=True)
            break
    return {"due": len(ids), "kicked": kicked, "reminders_retried": retried}


@shared_task(name="dossiers.send_reminders", acks_late=True)
def send_reminders() -> dict:
    """Beat, each morning at REMINDER_TIME: the officials' digests (skips days off)."""
    from .reminders import reminders_run

    return reminders_run()


@shared_task(name="dossiers.send_reminder", acks_late=True)
def send_reminder(digest_id: int) -> bool:
    """One official's digest e-mail again (the sweep, after the SMTP server was down)."""
    from .reminders import digest_send

    return digest_send(digest_id=digest_id)
