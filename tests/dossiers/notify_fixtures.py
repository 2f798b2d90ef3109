"""Fixtures of the notification tests: the fake SMS gateway and SMTP server, and a helper
that runs a change with its after-commit kick (import them into the test module)."""

from __future__ import annotations

import pytest

from tests.fake_sms import TOKEN, FakeSMSGateway
from tests.fake_smtp import FakeSMTP

PHONE = "+84987654321"  # tests.dossiers.lifecycle_fixtures.APPLICANT's 0987654321


@pytest.fixture
def fake_sms(settings):
    fake = FakeSMSGateway().start()
    settings.SMS_GATEWAY_URL = fake.url
    settings.SMS_GATEWAY_TOKEN = TOKEN
    settings.SMS_GATEWAY_TIMEOUT = 2
    settings.NOTIFY_RETRY_BASE_SECONDS = 1
    settings.NOTIFY_RETRY_MAX_SECONDS = 4
    yield fake
    fake.stop()


@pytest.fixture
def fake_smtp(settings):
    fake = FakeSMTP().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = fake.port
    settings.EMAIL_TIMEOUT = 2
    yield fake
    fake.stop()


@pytest.fixture
def kicked(celery_eager, django_capture_on_commit_callbacks):
    """kicked(fn, *args, **kw): run a change and then its after-commit kick, in-process."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run
