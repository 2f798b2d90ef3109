"""Authentication hardening (issue 12): the token throttle keys on the real client address
and survives a cache outage; an account locks across addresses; tokens expire and die with
the password or the account."""

from __future__ import annotations

import itertools
import socket
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from hanoi_cchc.authn import issue_token

pytestmark = pytest.mark.django_db

PASSWORD = "mat-khau-thu-nghiem"
TOKEN_URL = "/api/v1/auth/token/"
_net = itertools.count(10)


@pytest.fixture(autouse=True)
def fast_hashes(settings):
    # Dozens of logins per test: PBKDF2's deliberate cost would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def net():
    """A fresh /24 per test: limits count per address, and tests must not share them.
    (Guesses below use a new username each time, so Axes' per-username lock stays out.)"""
    n = next(_net)
    return lambda host: f"10.88.{n}.{host}"


@pytest.fixture
def official(desk_a):
    desk_a.set_password(PASSWORD)
    desk_a.save()
    return desk_a


def _token(ip, username, password, **headers):
    return APIClient().post(
        TOKEN_URL, {"username": username, "password": password}, format="json",
        REMOTE_ADDR=ip, **headers,
    )  # fmt: skip


def _rate() -> int:
    return int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api_token"].split("/")[0])


def test_rotating_x_forwarded_for_does_not_escape_the_token_throttle(official, net, settings):
    settings.RATELIMIT_TRUST_FORWARDED = False
    statuses = [
        _token(net(1), f"khach-{n}", "x", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(_rate() + 3)
    ]
    assert statuses[: _rate()] == [400] * _rate()
    assert set(statuses[_rate() :]) == {429}


def test_behind_a_trusted_proxy_the_throttle_counts_each_client_apart(official, net, settings):
    settings.RATELIMIT_TRUST_FORWARDED = True
    proxy = net(1)
    for n in range(_rate()):
        _token(proxy, f"khach-{n}", "x", HTTP_X_FORWARDED_FOR="198.51.100.7")
    blocked = _token(proxy, "khach-x", "x", HTTP_X_FORWARDED_FOR="198.51.100.7")
    other = _token(proxy, official.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert (blocked.status_code, other.status_code) == (429, 200)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    """The cache points at a Redis that is not there (a closed port on this machine)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    with pytest.raises(Exception):  # noqa: B017 - whatever redis-py raises
        cache.get("probe")
    yield


def test_with_redis_down_the_token_endpoint_answers_and_still_limits(official, net, redis_down):
    ok = _token(net(1), official.username, PASSWORD)
    assert ok.status_code == 200 and ok.json()["token"]
    statuses = [_token(net(2), f"khach-{n}", "x").status_code for n in range(_rate() + 2)]
    assert max(statuses) < 500
    assert statuses[-1] == 429, "the per-process fallback must still limit"


def test_an_account_locks_across_addresses_before_many_guesses(official, net):
    per_address = settings.AXES_FAILURE_LIMIT - 1  # never trips the per-address lock
    guesses = 0
    host = 1
    while guesses < settings.ACCOUNT_LOCKOUT_LIMIT:
        for _ in range(per_address):
            response = _token(net(host), official.username, "sai-mat-khau")
            assert response.status_code == 400
            guesses += 1
        host += 1
    locked = _token(net(200), official.username, PASSWORD)
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "locked_out"
    # The login page answers the same for that account from yet another address.
    from django.test import Client

    page = Client().post(
        "/dang-nhap/", {"username": official.username, "password": PASSWORD},
        REMOTE_ADDR=net(201),
    )  # fmt: skip
    assert page.status_code == 429


def test_one_address_locked_out_does_not_lock_the_account_elsewhere(official, net):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _token(net(1), official.username, "sai-mat-khau")
    assert _token(net(1), official.username, PASSWORD).status_code == 429
    assert settings.AXES_FAILURE_LIMIT < settings.ACCOUNT_LOCKOUT_LIMIT
    assert _token(net(2), official.username, PASSWORD).status_code == 200


def _use(token_key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_key}")
    return client.get("/api/v1/dossiers/")


def test_a_token_expires_after_the_configured_time(official, net, settings):
    settings.API_TOKEN_TTL_HOURS = 2
    key = _token(net(1), official.username, PASSWORD).json()["token"]
    assert _use(key).status_code == 200
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(hours=2, seconds=1))
    expired = _use(key)
    assert expired.status_code in (401, 403)
    assert expired.json()["error"]["code"] == "authentication_failed"
    fresh = _token(net(1), official.username, PASSWORD).json()["token"]
    assert fresh != key and _use(fresh).status_code == 200


def test_a_password_change_revokes_the_token(official, net):
    key = _token(net(1), official.username, PASSWORD).json()["token"]
    official.set_password("mat-khau-moi-2026")
    official.save()
    assert _use(key).status_code in (401, 403)
    assert not Token.objects.filter(user=official).exists()


def test_deactivating_the_account_revokes_the_token(official, net):
    key = _token(net(1), official.username, PASSWORD).json()["token"]
    official.is_active = False
    official.save(update_fields=["is_active"])
    assert not Token.objects.filter(key=key).exists()
    assert _use(key).status_code in (401, 403)


def test_other_saves_of_the_account_keep_the_token(official):
    token = issue_token(official)
    official.first_name = "Lan"
    official.save()
    assert Token.objects.filter(key=token.key).exists()
    assert issue_token(official).key == token.key


def test_a_login_without_a_usable_address_is_recorded_not_a_500(official, settings):
    """No REMOTE_ADDR (force_login) or garbage from a trusted proxy: still a valid address."""
    from django.test import Client

    settings.RATELIMIT_TRUST_FORWARDED = True
    client = Client()
    page = client.post(
        "/dang-nhap/", {"username": official.username, "password": "sai"},
        HTTP_X_FORWARDED_FOR="not-an-address",
    )  # fmt: skip
    assert page.status_code == 200
    client.force_login(official, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/ho-so/").status_code == 200
