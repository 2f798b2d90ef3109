"""DVCQG down, then Redis down: intake and actions keep working, and when the service comes
back every change reaches DVCQG exactly once and in order per dossier."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.test import APIClient

from dossiers import sync
from dossiers.models import Dossier, OutboxMessage
from dossiers.tasks import sweep_outbox
from tests.factories import ProcedureFactory

ROOT = Path(__file__).resolve().parents[2]
URL = "/api/v1/dossiers/"


def _client(user) -> APIClient:
    user.save(update_fields=["password"])  # see tests/api/conftest.py
    client = APIClient()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _intake(client, procedure, agency, name):
    body = {
        "procedure": procedure.pk,
        "agency": agency.pk,
        "channel": "desk",
        # A phone, as the desk form requires, so the applicant can open the full lookup.
        "applicant": {"name": name, "phone": "0912345678"},
        "documents": [],
    }
    started = time.monotonic()
    response = client.post(URL, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"], time.monotonic() - started


def _act(client, dossier_id, action, **body):
    started = time.monotonic()
    response = client.post(f"{URL}{dossier_id}/actions/{action}/", body, format="json")
    assert response.status_code == 200, response.content
    return time.monotonic() - started


def _assert_exactly_once_in_order(fake, dossier_ids):
    keys = fake.keys()
    assert len(keys) == len(set(keys)), "a message arrived twice"
    for dossier_id in dossier_ids:
        ours = list(
            OutboxMessage.objects.filter(dossier_id=dossier_id)
            .order_by("id")
            .values_list("id", flat=True)
        )
        assert fake.message_ids(dossier_id) == ours, f"dossier {dossier_id} out of order"
    assert not OutboxMessage.objects.filter(delivered_at__isnull=True).exists()
    states = set(Dossier.objects.filter(pk__in=dossier_ids).values_list("sync_state", flat=True))
    assert states == {Dossier.SyncState.SYNCED}


def _wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_dvcqg_down_during_intake_then_back_everything_arrives_once_in_order(
    fake_dvcqg, celery_eager, settings, desk_a, specialist_a, agency_a
):
    settings.DVCQG_RETRY_MAX_SECONDS = 1
    procedure = ProcedureFactory(agencies=[agency_a])
    desk, specialist = _client(desk_a), _client(specialist_a)
    first, _ = _intake(desk, procedure, agency_a, "Trước sự cố")
    assert fake_dvcqg.message_ids(first) != []  # delivered at once (in-process kick)

    fake_dvcqg.stop()
    ids = [first]
    for n in range(3):
        dossier_id, seconds = _intake(desk, procedure, agency_a, f"Trong sự cố {n}")
        assert seconds < 5
        ids.append(dossier_id)
        _act(specialist, dossier_id, "start_processing")
        _act(specialist, dossier_id, "request_supplement", content="Bổ sung bản sao CCCD")
    _act(specialist, first, "start_processing")
    pending = OutboxMessage.objects.filter(delivered_at__isnull=True)
    assert pending.count() == 10
    assert Dossier.objects.filter(sync_state=Dossier.SyncState.FAILED).count() == 4

    fake_dvcqg.start()  # same port
    time.sleep(1.2)  # past the (1 s) backoff
    assert sweep_outbox()["kicked"] == 4

    _assert_exactly_once_in_order(fake_dvcqg, ids)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    """A private redis-server for this test: never the machine's shared one."""

    def __init__(self):
        self.port = _free_port()

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
            ],
            check=True,
            capture_output=True,
        )
        assert _wait_for(self.ping, 10), "own redis did not start"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True
        )
        assert _wait_for(lambda: not self.ping(), 10), "own redis did not stop"


def _use_broker(app, url):
    """Point this process's Celery publisher at `url` (drop pooled connections)."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a worker needs a shared database")
@pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")
def test_redis_down_intake_still_works_and_the_outbox_waits_until_it_is_back(
    fake_dvcqg, settings, desk_a, specialist_a, agency_a
):
    from hanoi_cchc.celery import app

    redis = OwnRedis()
    redis.start()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}"
        f":{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": redis.url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DVCQG_ENDPOINT": fake_dvcqg.url,
        "DVCQG_RETRY_BASE_SECONDS": "1",
        "DVCQG_RETRY_MAX_SECONDS": "1",
        "DVCQG_TIMEOUT_SECONDS": "2",
    }
    worker = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "hanoi_cchc", "worker", "--pool=solo",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    eager_before, broker_before = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager = False
    _use_broker(app, redis.url)
    try:
        procedure = ProcedureFactory(agencies=[agency_a])
        desk, specialist = _client(desk_a), _client(specialist_a)
        first, _ = _intake(desk, procedure, agency_a, "Trước sự cố")
        assert _wait_for(lambda: fake_dvcqg.message_ids(first)), "the worker did not deliver"

        redis.stop()
        ids = [first]
        for n in range(3):
            dossier_id, seconds = _intake(desk, procedure, agency_a, f"Redis dừng {n}")
            assert seconds < 5, "intake must not wait for the broker"
            ids.append(dossier_id)
            assert _act(specialist, dossier_id, "start_processing") < 5
        assert _act(specialist, first, "start_processing") < 5
        time.sleep(1)
        # The kicks were lost: the work waits in the database.
        assert OutboxMessage.objects.filter(delivered_at__isnull=True).count() == 7
        assert len(fake_dvcqg.keys()) == 1

        redis.start()  # same port; the worker and the publisher reconnect by themselves
        assert sweep_outbox()["kicked"] == 4
        assert _wait_for(
            lambda: not OutboxMessage.objects.filter(delivered_at__isnull=True).exists(), 60
        ), "the outbox was not drained after Redis came back"
        # Let the worker finish any duplicate kick before checking nothing arrived twice.
        time.sleep(1)
        _assert_exactly_once_in_order(fake_dvcqg, ids)
        assert sync.due_dossier_ids() == []
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
        app.conf.task_always_eager = eager_before
        _use_broker(app, broker_before)
        redis.stop()
