"""The citizen lookup's limits (issue 10 item 1, issue 12 item 4): one Redis round trip per
check, a sliding window, no lock-out by strangers, a limit with Redis down, no session row,
large bodies refused unread."""

import os
import uuid

import pytest
from django.contrib.sessions.models import Session

from dossiers import ratelimit, views_public
from dossiers.ratelimit import Rule

from . import fixtures_desk as fx

procedure_a = fx.procedure_a
received_dossier = fx.received_dossier

pytestmark = pytest.mark.django_db
URL = "/ho-so/tra-cuu/"
STRANGER = "198.51.100.7"
CITIZEN = "203.0.113.20"


@pytest.fixture(autouse=True)
def fresh_limits(settings, request):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }
    ratelimit.reset_local()
    yield
    ratelimit.reset_local()


def _try(client, code, secret, ip):
    return client.post(URL, {"ma": code, "secret": secret}, REMOTE_ADDR=ip)


# --- the window --------------------------------------------------------------------------


def test_the_window_slides_so_no_burst_passes_at_a_window_edge():
    local = ratelimit._Local()
    rule = Rule("t", "x", limit=5, window=10)
    assert [local.check([rule], now=9.0 + i / 100) for i in range(5)] == [0] * 5
    # A fixed 10 s window would start afresh at t=10 and let 5 more through.
    assert local.check([rule], now=10.5) == 1
    assert local.check([rule], now=18.9) == 1
    assert local.check([rule], now=19.1) == 0


def test_a_refused_request_is_not_counted_and_rules_are_counted_together():
    local = ratelimit._Local()
    wide, narrow = Rule("w", "x", 10, 60), Rule("n", "x", 1, 60)
    assert local.check([wide, narrow], now=1) == 0
    for t in range(2, 20):
        assert local.check([wide, narrow], now=t) == 2  # narrow is full; wide not charged
    assert local.check([wide], now=30) == 0
    assert len(local.logs[wide.key]) == 2


def test_the_fallback_forgets_the_oldest_keys_beyond_its_bound(monkeypatch):
    monkeypatch.setattr(ratelimit, "LOCAL_MAX_KEYS", 3)
    local = ratelimit._Local()
    for n in range(5):
        local.check([Rule("s", str(n), 1, 60)], now=1)
    assert len(local.logs) == 3


# --- who is limited ----------------------------------------------------------------------


def test_a_stranger_guessing_cannot_lock_the_citizen_out(client, received_dossier):
    code = received_dossier.code
    refused = [_try(client, code, f"{n:04d}", STRANGER).status_code for n in range(12)]
    assert refused.count(429) >= 6  # the stranger is stopped ...
    assert _try(client, code, "5678", CITIZEN).status_code == 302  # ... the citizen is not


def test_a_client_is_held_per_code_and_across_codes(client, received_dossier, settings):
    settings.DOSSIER_LOOKUP_LIMITS = {"secret_ip_code": (2, 900), "secret_ip": (3, 3600)}
    code = received_dossier.code
    assert _try(client, code, "0000", STRANGER).status_code == 200
    assert _try(client, code, "0001", STRANGER).status_code == 200
    assert _try(client, code, "0002", STRANGER).status_code == 429
    other = "000.00.00.H26-210101-0001"
    assert _try(client, other, "0000", STRANGER).status_code == 200
    assert _try(client, other, "0001", STRANGER).status_code == 429  # 3 tries an hour in all


def test_the_per_code_ceiling_spares_a_browser_that_gave_the_right_secret_before(
    client, received_dossier, settings
):
    settings.DOSSIER_LOOKUP_LIMITS = {"secret_code": (3, 86400)}
    code = received_dossier.code
    assert _try(client, code, "5678", CITIZEN).status_code == 302  # the citizen, once
    stranger = type(client)()
    for n in range(3):
        stranger.post(URL, {"ma": code, "secret": f"{n:04d}"}, REMOTE_ADDR=f"10.0.0.{n}")
    assert _try(stranger, code, "5678", "10.0.0.99").status_code == 429  # ceiling reached
    assert _try(client, code, "5678", CITIZEN).status_code == 302  # the citizen still gets in


def test_guessing_stays_bounded_per_code_whatever_the_number_of_addresses(client, received_dossier):
    """The default ceiling: at most 20 tries per code in 30 days from all clients, which
    bounds a year's guesses at 260 (chance ≤ 5.1 %, see views_public.DEFAULT_LIMITS)."""
    limit, window = views_public.DEFAULT_LIMITS["secret_code"]
    assert (limit, window) == (20, 30 * 86400)
    per_year = (365 // 30 + 1) * limit
    assert 1 - (1 - 2 / 10_000) ** per_year < 0.06
    answers = [
        _try(client, received_dossier.code, f"{n:04d}", f"10.1.{n}.1").status_code
        for n in range(25)
    ]
    assert answers.count(200) == limit and answers.count(429) == 25 - limit


def test_with_redis_down_wrong_secrets_are_still_limited(client, received_dossier, monkeypatch):
    def down():
        raise ConnectionError("redis down")

    monkeypatch.setattr(ratelimit, "_redis_client", down)
    answers = [
        _try(client, received_dossier.code, f"{n:04d}", STRANGER).status_code for n in range(80)
    ]
    assert answers.count(200) <= 5
    assert not any(status >= 500 for status in answers)


# --- no session, a signed cookie ---------------------------------------------------------


def test_an_anonymous_lookup_writes_no_session_row(client, received_dossier):
    response = _try(client, received_dossier.code, "5678", CITIZEN)
    assert response.status_code == 302
    page = client.get(response["Location"], REMOTE_ADDR=CITIZEN)
    assert page.context["verified"] is True
    client.get(URL, {"ma": received_dossier.code}, REMOTE_ADDR=CITIZEN)
    assert Session.objects.count() == 0
    assert "sessionid" not in response.cookies and "sessionid" not in page.cookies


def test_a_forged_or_stale_verification_cookie_opens_nothing(client, received_dossier, settings):
    code = received_dossier.code
    key = views_public._code_key(code)
    client.cookies[views_public.COOKIE] = f'{{"{key}":9999999999}}'
    page = client.get(URL, {"ma": code})
    assert page.status_code == 200 and not page.context.get("verified")
    client.cookies[views_public.COOKIE] = "garbage:value:x"
    assert client.get(URL, {"ma": code}).status_code == 200


def test_the_full_view_closes_after_the_verified_period(client, received_dossier, time_machine):
    time_machine.move_to("2026-03-02 09:00 +07:00", tick=False)
    code = received_dossier.code
    assert _try(client, code, "5678", CITIZEN).status_code == 302
    assert client.get(URL, {"ma": code}).context["verified"] is True
    time_machine.move_to("2026-03-02 09:31 +07:00", tick=False)
    assert not client.get(URL, {"ma": code}).context.get("verified")


# --- cost of the hot path ----------------------------------------------------------------


def test_the_status_page_and_the_secret_check_cost_one_query_each(
    client, received_dossier, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert client.get(URL, {"ma": received_dossier.code}).status_code == 200
    with django_assert_num_queries(1):
        assert _try(client, received_dossier.code, "5678", CITIZEN).status_code == 302


def test_a_large_body_is_refused_before_it_is_parsed(client, db, monkeypatch):
    from django.http.request import HttpRequest

    def parse(self):
        raise AssertionError("the body was parsed")

    monkeypatch.setattr(HttpRequest, "_load_post_and_files", parse)
    big = client.post(URL, {"ma": "x", "file": ("a" * (10 * 1024 * 1024))})  # multipart
    assert big.status_code == 413
    long_form = client.generic(
        "POST", URL, "ma=" + "x" * 20_000, content_type="application/x-www-form-urlencoded"
    )
    assert long_form.status_code == 413
    rate = client.post("/ho-so/tra-cuu/danh-gia/", {"ma": "x", "comment": "y" * 40_000})
    assert rate.status_code == 413


# --- Redis -------------------------------------------------------------------------------


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")
def test_a_check_of_several_rules_is_one_redis_round_trip(settings, monkeypatch):
    import redis

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
    ident = f"test-{uuid.uuid4()}"  # unique: nothing is flushed, nothing collides
    rules = [Rule("t-a", ident, 3, 60), Rule("t-b", ident, 10, 60), Rule("t-c", ident, 10, 60)]
    ratelimit.check(*rules)  # loads the script once
    calls = []
    real = redis.Redis.execute_command

    def counting(self, *args, **kwargs):
        calls.append(args[0])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", counting)
    results = [ratelimit.check(*rules) for _ in range(4)]
    assert calls == ["EVALSHA"] * 4
    assert results[:2] == [None, None] and results[2] == rules[0] and results[3] == rules[0]
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    assert client.zcard(rules[0].key) == 3 and 0 < client.pttl(rules[0].key) <= 60_000
    client.delete(*(rule.key for rule in rules))
