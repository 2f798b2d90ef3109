"""Celery tasks of the indicators app: thin, idempotent wrappers around services.

Every task rewrites whole cells in one transaction, so a task killed halfway (acks_late
re-delivers it) or run twice gives the same figures. Database errors are retried with
exponential backoff, a bounded number of times; the nightly recompute and the sweep repair
anything that still slips through.
"""

from celery import shared_task
from django.db import DatabaseError

from . import services

RETRY = {
    "acks_late": True,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="indicators.refresh_dossier_stats", **RETRY)
def refresh_dossier_stats(dossier_id: int) -> None:
    """Update the statistics cells a dossier touches (kicked after each dossier commit)."""
    services.stats_refresh_dossier(dossier_id=dossier_id)


@shared_task(name="indicators.recompute_recent_months", **RETRY)
def recompute_recent_months() -> int:
    """Current and previous month: overdue counts change as the clock moves."""
    return services.stats_recompute_recent()


@shared_task(name="indicators.recompute_year", **RETRY)
def recompute_year(year: int | None = None) -> int:
    """Nightly full recompute of a year (default: the current year)."""
    from .periods import current_month

    return services.stats_full_recompute(year=year or current_month().year)


@shared_task(name="indicators.sweep_changes", **RETRY)
def sweep_changes() -> int:
    """Process dossier changes whose after-commit kick was lost."""
    return services.stats_sweep_changes()


@shared_task(name="indicators.close_due_months", **RETRY)
def close_due_months() -> int:
    """Close last month once STATS_CLOSE_AFTER_WORKING_DAYS working days have passed."""
    from . import closing

    return len(closing.close_due_months())
