"""Celery tasks of the dossiers app (thin wrappers around services)."""

from celery import shared_task


@shared_task(name="dossiers.deliver_outbox", acks_late=True)
def deliver_outbox(dossier_id: int) -> None:
    """Deliver pending outbox rows of one dossier to DVCQG (implemented by the sync work)."""
