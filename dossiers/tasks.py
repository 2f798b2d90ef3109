"""Celery tasks of the dossiers app (thin wrappers around dossiers.sync)."""

from __future__ import annotations

import logging

from celery import shared_task

from . import sync

log = logging.getLogger(__name__)


@shared_task(name="dossiers.deliver_outbox", bind=True, acks_late=True, max_retries=8)
def deliver_outbox(self, dossier_id: int) -> dict:
    """Deliver one dossier's pending outbox rows to DVCQG, in order, retrying with backoff.

    After max_retries the periodic sweep keeps trying (rows keep their next_attempt_at),
    so giving up here never loses a message.
    """
    result = sync.deliver_pending(dossier_id=dossier_id)
    # In-process (eager) runs never sleep in a request: the sweep retries for them.
    retrying = not self.request.is_eager and self.request.retries < self.max_retries
    if retrying and result.busy:
        # Another worker holds this dossier; look again shortly in case it just finished.
        raise self.retry(countdown=2)
    if retrying and result.retry_in is not None:
        raise self.retry(countdown=result.retry_in)
    return {"delivered": result.delivered, "pending": result.pending, "busy": result.busy}


def _fan_out_targets() -> tuple:
    from dossiers.notifications.tasks import deliver_notifications
    from indicators.tasks import refresh_dossier_stats

    return (deliver_outbox, refresh_dossier_stats, deliver_notifications)


@shared_task(name="dossiers.after_change", acks_late=True, ignore_result=True)
def after_change(dossier_id: int) -> int:
    """Queue one dossier's after-commit work: DVCQG delivery, statistics, messages.

    The request publishes this one message (issue 10: three publishes per intake cost the
    web process more than the intake itself); the worker queues the three tasks, each
    keeping its own name, retries and sweep. A publish that fails here loses nothing: the
    outbox, notification and statistics sweeps pick up what was not kicked.
    """
    queued = 0
    for task in _fan_out_targets():
        try:
            task.delay(dossier_id)
            queued += 1
        except Exception:  # broker gone, or (eager) the task failed: the sweeps catch up
            log.warning("could not enqueue %s for dossier %s", task.name, dossier_id, exc_info=True)
    return queued


@shared_task(name="dossiers.sweep_outbox", acks_late=True)
def sweep_outbox(limit: int = 1000) -> dict:
    """Beat: re-kick dossiers whose rows are due (their kick was lost or is retrying)."""
    from django.conf import settings

    from hanoi_cchc.health import OUTBOX_SWEEP, beat
    from hanoi_cchc.idempotency import purge_expired

    ids = sync.due_dossier_ids(limit=limit)
    kicked = 0
    # A kick not started before the next sweep is dropped: that sweep kicks again (issue 12:
    # after an outage, queued sweeps fanned out to 10,300 duplicate kicks).
    expires = max(10, settings.CELERY_BEAT_SCHEDULE[OUTBOX_SWEEP]["schedule"])
    for dossier_id in ids:
        try:
            deliver_outbox.apply_async((dossier_id,), expires=expires)
            kicked += 1
        except Exception:  # broker down: the next sweep will try again
            log.warning("sweep could not enqueue dossier %s", dossier_id, exc_info=True)
            break
    purged = purge_expired()
    result = {"due": len(ids), "kicked": kicked, "idempotency_purged": purged}
    beat(OUTBOX_SWEEP, result)  # /healthz reports when the sweep last ran
    return result
