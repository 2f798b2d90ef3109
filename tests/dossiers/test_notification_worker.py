"""A real Celery worker, fed through Redis, delivers the applicant's SMS after the gateway
comes back: its own retries with back-off, each message once, in order.

Needs PostgreSQL (the worker is another process sharing the test database) and REDIS_URL;
skipped otherwise.
"""

from __future__ import annotations

import os

import pytest

from dossiers.models import Notification
from dossiers.notifications.tasks import deliver_notifications
from tests.celery_worker import running_worker, wait_for
from tests.fake_sms import TOKEN, FakeSMSGateway

from .lifecycle_fixtures import hanoi

QUEUE = "notify-worker-test"

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set"),
]


@pytest.fixture
def gateway(settings):
    fake = FakeSMSGateway().start()
    settings.SMS_GATEWAY_URL = fake.url
    settings.SMS_GATEWAY_TOKEN = TOKEN
    yield fake
    fake.stop()


@pytest.fixture
def worker(gateway):
    extra = {
        "SMS_GATEWAY_URL": gateway.url,
        "SMS_GATEWAY_TOKEN": TOKEN,
        "SMS_GATEWAY_TIMEOUT_SECONDS": "2",
        "NOTIFY_RETRY_BASE_SECONDS": "1",
        "NOTIFY_RETRY_MAX_SECONDS": "2",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    with running_worker(QUEUE, extra) as proc:
        yield proc


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
    wait_for(lambda: sms.filter(attempts__gte=2).exists(), worker, 90.0)  # it retried on its own
    gateway.start()
    wait_for(lambda: not sms.filter(state=Notification.State.PENDING).exists(), worker, 90.0)
    assert [m["id"] for m in gateway.messages] == [n.dedup_key for n in sms]
    assert gateway.duplicates == 0
    assert set(sms.values_list("state", flat=True)) == {Notification.State.SENT}
