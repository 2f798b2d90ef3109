"""Celery tasks of the indicators app (thin wrappers around services)."""

from celery import shared_task


@shared_task(name="indicators.refresh_dossier_stats", acks_late=True)
def refresh_dossier_stats(dossier_id: int) -> None:
    """Update the statistics cells a dossier touches (implemented by the indicators work)."""
