"""Fault drills (issue 12): real processes on PostgreSQL and a private Redis.

One stack per module (redis-server, gunicorn, supervised Celery worker and beat); each drill
starts from an empty database (transaction=True) and the fake DVCQG forgets what it got.
Skipped without PostgreSQL (the processes share the test database) or redis-server.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.fake_dvcqg import FakeDVCQG

from .stack import OwnRedis, Stack, wait_for

FIGURES = Path(__file__).resolve().parents[2] / "var" / "fault-drills.jsonl"


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture(scope="module")
def dvcqg():
    fake = FakeDVCQG().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker, dvcqg, tmp_path_factory):
    if connection.vendor != "postgresql":
        pytest.skip("the drill's processes share the PostgreSQL test database")
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    workdir = tmp_path_factory.mktemp("drill")
    redis = OwnRedis(workdir)
    redis.start()
    with django_db_blocker.unblock():
        url = _database_url()
    running = Stack(database_url=url, redis=redis, dvcqg_url=dvcqg.url, workdir=workdir)
    try:
        yield running.start()
    finally:
        running.stop()
        redis.kill()


def _others_in_a_transaction() -> int:
    """Sessions of the stack (worker, beat, gunicorn) on the test database that are running
    a statement or hold a transaction open."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
            " AND state IN ('active', 'idle in transaction', 'idle in transaction (aborted)')"
        )
        return cur.fetchone()[0]


@pytest.fixture(autouse=True)
def _stack_quiet_before_flush(transactional_db):
    """A drill ends with the worker still finishing its last tasks (statistics, messages);
    the database flush after the test must not race them (a TRUNCATE against their locks
    is a deadlock). Set up after the database fixture, so torn down before its flush."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW is_superuser")
            if cur.fetchone()[0] == "on":
                cur.execute("RESET deadlock_timeout")
    yield
    if connection.vendor == "postgresql":
        wait_for(lambda: _others_in_a_transaction() == 0, 30, 0.2)
        time.sleep(0.5)  # a task between two statements
        wait_for(lambda: _others_in_a_transaction() == 0, 30, 0.2)
        # A periodic sweep may still start while the flush takes its locks one table at a
        # time. PostgreSQL cancels the session that detects a deadlock, the first to have
        # waited deadlock_timeout: give the flush the longer wait, so that the sweep is the
        # one cancelled (it runs again at its next period) and the flush goes on.
        with connection.cursor() as cur:
            cur.execute("SHOW is_superuser")
            if cur.fetchone()[0] == "on":  # a superuser setting
                cur.execute("SET deadlock_timeout = '20s'")


@pytest.fixture
def fresh_dvcqg(dvcqg):
    """The module's fake DVCQG, emptied, answering, without delay."""
    with dvcqg._lock:
        dvcqg.accepted.clear()
        dvcqg._keys.clear()
        dvcqg.duplicates = dvcqg.refused = dvcqg.received = 0
    dvcqg.fail, dvcqg.delay = False, 0.0
    return dvcqg


@pytest.fixture
def figures(request):
    """figures(**numbers): printed and appended to var/fault-drills.jsonl for the report."""

    def record(**numbers):
        line = {
            "drill": request.node.name,
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            **numbers,
        }
        print("\nDRILL", json.dumps(line, ensure_ascii=False))
        FIGURES.parent.mkdir(exist_ok=True)
        with FIGURES.open("a") as f:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")

    return record
