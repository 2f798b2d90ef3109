"""A real Celery worker, fed through Redis, delivers the applicant's SMS after the gateway
comes back: its own retries with back-off, each message once, in order.

Needs PostgreSQL (the worker is another process sharing the test database) and REDIS_URL;
skipped otherwise.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from dossiers.models import Notification
from dossiers.notifications.tasks import deliver_notifications
from hanoi_cchc.celery import app
from tests.fake_sms import TOKEN, FakeSMSGateway

from .lifecycle_fixtures import hanoi

ROOT = Path(__file__).resolve().parents[2]
QUEUE = "notify-worker-test"

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set"),
]


def _db_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def gateway(settings):
    fake = FakeSMSGateway().start()
    settings.SMS_GATEWAY_URL = fake.url
    settings.SMS_GATEWAY_TOKEN = TOKEN
    yield fake
    fake.stop()


@pytest.fixture
def worker(gateway):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs the shared PostgreSQL test database")
    env = {
        **os.environ,
        "DATABASE_URL": _db_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "SMS_GATEWAY_URL": gateway.url,
        "SMS_GATEWAY_TOKEN": TOKEN,
        "SMS_GATEWAY_TIMEOUT_SECONDS": "2",
        "NOTIFY_RETRY_BASE_SECONDS": "1",
        "NOTIFY_RETRY_MAX_SECONDS": "2",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    with app.connection_for_write() as conn:  # leftovers of an interrupted run
        conn.default_channel.queue_declare(queue=QUEUE, durable=True, auto_delete=False)
        conn.default_channel.queue_purge(QUEUE)
    argv = [sys.executable, "-m", "celery", "-A", "hanoi_cchc", "worker", "--pool=solo"]
    argv += ["--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "warning"]
    proc = subprocess.Popen(  # noqa: S603 - fixed argv
        [*argv, "-Q", QUEUE],
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


def _wait_for(predicate, proc, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            pytest.fail(f"the worker died: {proc.stdout.read().decode()[-2000:]}")
        time.sleep(0.3)
    proc.terminate()
    pytest.fail(f"timed out; worker log: {proc.communicate(timeout=20)[0].decode()[-3000:]}")


@pytest.mark.django_db(transaction=True)
def test_a_worker_retries_until_the_gateway_is_back_and_sends_each_sms_once(
    worker, gateway, receive, act, monkeypatch
):
    # The after-commit kicks would go to the default queue; this test sends its own.
    monkeypatch.setattr("dossiers.dispatch._kick", lambda dossier_id: None)
    gateway.stop()
    dossier = receive(hanoi(2021, 3, 1, 9, 0))
    act(dossier, "start_processing", hanoi(2021, 3, 1, 10, 0))
    act(dossier, "mark_result_ready", hanoi(2021, 3, 2, 9, 0))
    deliver_notifications.apply_async((dossier.pk,), queue=QUEUE)
    sms = Notification.objects.filter(dossier=dossier, channel="sms").order_by("id")
    _wait_for(lambda: sms.filter(attempts__gte=2).exists(), worker)  # it retried on its own
    gateway.start()
    _wait_for(lambda: not sms.filter(state=Notification.State.PENDING).exists(), worker)
    assert [m["id"] for m in gateway.messages] == [n.dedup_key for n in sms]
    assert gateway.duplicates == 0
    assert set(sms.values_list("state", flat=True)) == {Notification.State.SENT}
