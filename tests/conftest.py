"""The shared cast: two agencies, their officials, a city inspector and an outsider."""

import os

import pytest

from procedures.models import Membership

from .factories import AgencyFactory, MembershipFactory, UserFactory

Role = Membership.Role


def pytest_configure(config):
    # In CI the suite must run on PostgreSQL: a silent fall-back to SQLite would hide bugs
    # in locking and concurrency.
    from django.conf import settings

    if os.environ.get("CI") == "true":
        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            raise pytest.UsageError(f"CI=true but the database engine is {engine}")


@pytest.fixture
def agency_a(db):
    return AgencyFactory(
        name="UBND phường Hoàn Kiếm", identifier_code="000.01.01.H26", gso_code="00070"
    )


@pytest.fixture
def agency_b(db):
    return AgencyFactory(name="UBND xã Sóc Sơn", identifier_code="000.02.02.H26", gso_code="08980")


@pytest.fixture
def desk_a(agency_a):
    return MembershipFactory(
        user=UserFactory(username="motcua_a"), agency=agency_a, role=Role.DESK
    ).user


@pytest.fixture
def specialist_a(agency_a):
    return MembershipFactory(
        user=UserFactory(username="chuyenvien_a"), agency=agency_a, role=Role.SPECIALIST
    ).user


@pytest.fixture
def leader_a(agency_a):
    return MembershipFactory(
        user=UserFactory(username="lanhdao_a"), agency=agency_a, role=Role.LEADER
    ).user


@pytest.fixture
def desk_b(agency_b):
    return MembershipFactory(
        user=UserFactory(username="motcua_b"), agency=agency_b, role=Role.DESK
    ).user


@pytest.fixture
def inspector(db):
    return MembershipFactory(
        user=UserFactory(username="thanhtra"), agency=None, role=Role.INSPECTOR
    ).user


@pytest.fixture
def outsider(db):
    """A logged-in user with no role anywhere: must see nothing internal."""
    return UserFactory(username="nguoingoai")


@pytest.fixture
def sysadmin(db):
    user = UserFactory(username="quantri")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def celery_eager():
    """Run .delay() in-process for this test only (CI has a broker and no worker)."""
    from hanoi_cchc.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True, scope="session")
def _fresh_rate_limits():
    """Rate-limit windows live in Redis for up to an hour: a second run of the suite within
    that hour would start with the first run's counts (e.g. online submissions refused)."""
    from dossiers import ratelimit

    client = ratelimit._redis_client()
    if client is not None:
        keys = list(client.scan_iter(match=f"{ratelimit.KEY_PREFIX}:*", count=1000))
        if keys:
            client.delete(*keys)
    ratelimit.reset_local()


@pytest.fixture(autouse=True)
def _forget_cached_state():
    """The last closed month (indicators.closing) and the calendar overrides
    (dossiers.calendar_store) are cached; a rolled-back test that closed a month or added a
    day off must not leave it so for the next one."""
    from django.core.cache import cache

    from dossiers.calendar_store import OVERRIDES_KEY
    from indicators.closing import CACHE_KEY

    cache.delete_many([CACHE_KEY, OVERRIDES_KEY])
    yield
    cache.delete(CACHE_KEY)
