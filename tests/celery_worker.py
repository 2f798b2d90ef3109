"""A real Celery worker process for the service tests (tests marked `services`).

The worker is another process: it shares the PostgreSQL test database (``shared_db_url``)
and listens on a queue of its own, so tasks other tests left in a shared Redis never reach it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from hanoi_cchc.celery import app

ROOT = Path(__file__).resolve().parents[1]


def shared_db_url() -> str:
    """DATABASE_URL of the test database this process uses."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextmanager
def running_worker(queue: str, extra_env: dict | None = None) -> Iterator[subprocess.Popen]:
    """A solo-pool worker on `queue` (purged first); this process stops running tasks eagerly
    until the worker is stopped."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs the shared PostgreSQL test database")
    env = {
        **os.environ,
        "DATABASE_URL": shared_db_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **(extra_env or {}),
    }
    with app.connection_for_write() as conn:  # leftovers of an interrupted run
        conn.default_channel.queue_declare(queue=queue, durable=True, auto_delete=False)
        conn.default_channel.queue_purge(queue)
    argv = [sys.executable, "-m", "celery", "-A", "hanoi_cchc", "worker", "--pool=solo"]
    argv += ["--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "warning"]
    proc = subprocess.Popen(  # noqa: S603 - fixed argv
        [*argv, "-Q", queue], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
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


def wait_for(
    predicate: Callable[[], bool],
    proc: subprocess.Popen,
    timeout: float = 60.0,
    describe: Callable[[], str] = lambda: "",
) -> None:
    """Poll `predicate` until true; fail with the worker's log if it dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            pytest.fail(f"the worker died: {proc.stdout.read().decode()[-2000:]}")
        time.sleep(0.3)
    proc.terminate()
    out = proc.communicate(timeout=20)[0].decode()[-3000:]
    pytest.fail(f"the worker did not finish in time; {describe()}; log: {out}")
