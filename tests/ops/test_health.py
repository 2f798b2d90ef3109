"""/healthz (database, Redis, oldest undelivered outbox row, last sweep) and the admin alert
when DVCQG delivery lags; periodic sweeps expire instead of piling up."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dossiers.models import OutboxMessage
from dossiers.tasks import sweep_outbox
from hanoi_cchc.models import Heartbeat
from tests.auth import login

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def healthy(settings):
    settings.REDIS_URL = ""  # the Redis probe is tested on its own below
    settings.DVCQG_ENDPOINT = ""
    Heartbeat.objects.create(name="dossiers.sweep_outbox", at=timezone.now())


def _health():
    response = Client().get("/healthz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def test_healthz_is_200_with_every_check_when_all_is_well(healthy):
    status, body = _health()
    assert status == 200 and body["ok"] is True
    assert set(body["checks"]) == {"database", "redis", "outbox", "sweep"}
    assert body["checks"]["outbox"]["oldest_undelivered_seconds"] is None


def test_healthz_is_503_when_redis_is_unreachable(healthy, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    status, body = _health()
    assert status == 503
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert body["took_ms"] < 3000


def test_healthz_reports_the_age_of_the_oldest_undelivered_row(healthy, settings, make_dossier):
    settings.OUTBOX_LAG_ALERT_SECONDS = 600
    dossier = make_dossier(messages=2)
    OutboxMessage.objects.filter(dossier=dossier).update(
        created_at=timezone.now() - timedelta(seconds=300)
    )
    status, body = _health()
    assert status == 200
    assert 290 <= body["checks"]["outbox"]["oldest_undelivered_seconds"] <= 400
    OutboxMessage.objects.filter(dossier=dossier).update(
        created_at=timezone.now() - timedelta(seconds=601)
    )
    status, body = _health()
    assert status == 503 and body["checks"]["outbox"]["ok"] is False


def test_healthz_is_503_when_the_sweep_has_not_run_for_too_long(healthy, settings):
    settings.HEALTH_SWEEP_MAX_AGE_SECONDS = 120
    Heartbeat.objects.update(at=timezone.now() - timedelta(seconds=121))
    status, body = _health()
    assert status == 503 and body["checks"]["sweep"]["ok"] is False


def test_the_outbox_sweep_records_its_heartbeat(settings, celery_eager):
    settings.DVCQG_ENDPOINT = ""
    Heartbeat.objects.all().delete()
    before = timezone.now()
    sweep_outbox()
    assert Heartbeat.objects.get(name="dossiers.sweep_outbox").at >= before


def test_the_admin_warns_when_the_outbox_lags(sysadmin, settings, make_dossier):
    settings.OUTBOX_LAG_ALERT_SECONDS = 60
    client = Client()
    login(client, sysadmin)
    calm = client.get("/admin/")
    assert calm.status_code == 200
    assert b'role="alert"' not in calm.content
    dossier = make_dossier(messages=1)
    OutboxMessage.objects.filter(dossier=dossier).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    alert = client.get("/admin/")
    assert alert.status_code == 200
    assert b'role="alert"' in alert.content


def test_every_periodic_task_expires_before_the_next_run_is_due(settings):
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        schedule = entry["schedule"]
        expires = entry.get("options", {}).get("expires")
        assert expires, f"{name} would pile up while no worker consumes"
        if isinstance(schedule, int | float):
            assert expires <= max(10, schedule), name


def test_the_sweep_kicks_expire_too(settings, make_dossier, monkeypatch):
    from dossiers import tasks

    settings.DVCQG_ENDPOINT = "http://127.0.0.1:9/never"
    make_dossier(messages=1)
    sent = []
    monkeypatch.setattr(
        tasks.deliver_outbox, "apply_async", lambda args, **options: sent.append(options)
    )
    assert sweep_outbox()["kicked"] == 1
    assert sent[0]["expires"] <= settings.CELERY_BEAT_SCHEDULE["dossiers.sweep_outbox"]["schedule"]


def test_the_worker_never_gives_up_on_the_broker():
    from hanoi_cchc.celery import app

    assert app.conf.broker_connection_max_retries is None
    assert app.conf.broker_connection_retry is True
