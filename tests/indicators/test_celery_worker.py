"""A real Celery worker, fed through Redis, computes the statistics of the hand-made fixture.

Needs PostgreSQL (the worker is another process: it must share the test database) and
REDIS_URL; skipped otherwise. The worker runs with CELERY_TASK_ALWAYS_EAGER=false.
"""

from __future__ import annotations

import os

import pytest

from indicators import tasks
from indicators.models import MonthlyStat
from tests.celery_worker import running_worker
from tests.celery_worker import wait_for as wait_until

from .test_stats_definitions import EXPECTED_PAST, build_fixture, snapshot

YEAR = 2024
# A queue of its own: tasks other tests left in a shared Redis must not reach this worker.
QUEUE = "indicators-worker-test"

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set"),
]


@pytest.fixture
def worker():
    with running_worker(QUEUE) as proc:
        yield proc


def wait_for(predicate, proc):
    return wait_until(predicate, proc, 60.0, describe=lambda: f"figures {snapshot(YEAR)}")


@pytest.mark.django_db(transaction=True)
def test_worker_refreshes_then_recomputes_the_hand_counted_figures(worker, procedure, agency_a):
    dossiers = build_fixture(procedure, agency_a, year=YEAR)
    expected = {m.replace(year=YEAR): v for m, v in EXPECTED_PAST.items()}
    # The kicks lifecycle sends after each commit, through Redis to the worker.
    for d in dossiers:
        tasks.refresh_dossier_stats.apply_async((d.id,), queue=QUEUE)
    wait_for(lambda: snapshot(YEAR) == expected, worker)
    # The nightly job on the same year changes nothing, and runs twice harmlessly.
    MonthlyStat.objects.filter(month__year=YEAR).update(received=999)
    tasks.recompute_year.apply_async((YEAR,), queue=QUEUE)
    tasks.recompute_year.apply_async((YEAR,), queue=QUEUE)
    wait_for(lambda: snapshot(YEAR) == expected, worker)
