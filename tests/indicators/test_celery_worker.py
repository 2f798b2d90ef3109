"""A real Celery worker, fed through Redis, computes the statistics of the hand-made fixture.

Needs PostgreSQL (the worker is another process: it must share the test database) and
REDIS_URL; skipped otherwise. The worker runs with CELERY_TASK_ALWAYS_EAGER=false.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from hanoi_cchc.celery import app
from indicators import tasks
from indicators.models import MonthlyStat

from .test_stats_definitions import EXPECTED_PAST, build_fixture, snapshot

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2024
# A queue of its own: tasks other tests left in a shared Redis must not reach this worker.
QUEUE = "indicators-worker-test"

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set"),
]


def db_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker():
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs the shared PostgreSQL test database")
    env = {
        **os.environ,
        "DATABASE_URL": db_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DATABASE_CONN_MAX_AGE": "0",
    }
    with app.connection_for_write() as conn:  # leftovers of an interrupted run
        conn.default_channel.queue_declare(queue=QUEUE, durable=True, auto_delete=False)
        conn.default_channel.queue_purge(QUEUE)
    proc = subprocess.Popen(  # noqa: S603 - fixed argv
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "hanoi_cchc",
            "worker",
            "--pool=solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
            "-Q",
            QUEUE,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield proc
    finally:
        app.conf.task_always_eager = eager
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_for(predicate, proc, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            pytest.fail(f"the worker died: {proc.stdout.read().decode()[-2000:]}")
        time.sleep(0.3)
    proc.terminate()
    out = proc.communicate(timeout=20)[0].decode()[-3000:]
    pytest.fail(f"the worker did not finish in time; figures {snapshot(YEAR)}; log: {out}")


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
