"""Logins lock after repeated failures (Axes), on the login page and the API token
endpoint alike; tokens authenticate systems; sessions expire."""

from __future__ import annotations

import itertools

import pytest
from django.conf import settings
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "mat-khau-thu-nghiem"
_ip = itertools.count(10)


@pytest.fixture
def client_ip():
    # A fresh address per test: Axes and the throttle count per username and address.
    return f"10.77.{next(_ip)}.1"


@pytest.fixture
def official(desk_a):
    desk_a.set_password(PASSWORD)
    desk_a.save()
    return desk_a


def _token(client, ip, username, password):
    return client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=ip,
    )


def test_a_system_gets_a_token_and_uses_it(official, client_ip):
    client = APIClient()
    response = _token(client, client_ip, official.username, PASSWORD)
    assert response.status_code == 200
    token = response.json()["token"]

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/dossiers/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    bad = client.get("/api/v1/dossiers/")
    assert bad.status_code in (401, 403)
    assert bad.json()["error"]["code"] == "authentication_failed"


def test_the_token_endpoint_locks_after_repeated_failures(official, client_ip):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _token(client, client_ip, official.username, "sai-mat-khau")
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_credentials"
    locked = _token(client, client_ip, official.username, "sai-mat-khau")
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "locked_out"
    # Even the right password is refused while the lock lasts.
    still = _token(client, client_ip, official.username, PASSWORD)
    assert still.status_code == 429
    assert "khóa" in still.json()["error"]["message"]


def test_the_login_page_locks_after_repeated_failures(official, client_ip):
    from django.test import Client

    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/dang-nhap/",
            {"username": official.username, "password": "sai"},
            REMOTE_ADDR=client_ip,
        )
    response = client.post(
        "/dang-nhap/",
        {"username": official.username, "password": PASSWORD},
        REMOTE_ADDR=client_ip,
    )
    assert response.status_code == 429
    assert "khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_correct_login_before_the_limit_resets_the_count(official, client_ip):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _token(client, client_ip, official.username, "sai")
    last = _token(client, client_ip, official.username, PASSWORD)
    assert last.status_code == 200, last.json()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _token(client, client_ip, official.username, "sai")
    assert _token(client, client_ip, official.username, PASSWORD).status_code == 200


def test_sessions_time_out_and_are_renewed_by_activity():
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    # Renewed at most once a minute (hanoi_cchc.sessions), tested in test_session_touch.py.
    assert "hanoi_cchc.sessions.SessionTouchMiddleware" in settings.MIDDLEWARE
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
