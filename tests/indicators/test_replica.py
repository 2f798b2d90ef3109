"""The scale-out path: indicator pages read from DATABASE_REPLICA_URL through the router."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hanoi_cchc.db_router import REPLICA, ReplicaRouter, replica_reads
from indicators.models import CityMonthStat

WITH_REPLICA = {**settings.DATABASES, REPLICA: {**settings.DATABASES["default"]}}


@override_settings(DATABASES=WITH_REPLICA)
def test_reads_go_to_the_replica_only_inside_the_block_and_writes_never_do():
    router = ReplicaRouter()
    assert router.db_for_read(CityMonthStat) is None
    with replica_reads():
        assert router.db_for_read(CityMonthStat) == REPLICA
        assert router.db_for_write(CityMonthStat) == "default"
    assert router.db_for_read(CityMonthStat) is None
    assert router.allow_migrate(REPLICA, "indicators") is False


def test_without_a_replica_everything_reads_from_default():
    with replica_reads():
        assert ReplicaRouter().db_for_read(CityMonthStat) in (None, REPLICA)
        if REPLICA not in settings.DATABASES:
            assert ReplicaRouter().db_for_read(CityMonthStat) is None


@pytest.mark.skipif(
    REPLICA not in settings.DATABASES, reason="set DATABASE_REPLICA_URL (a test mirror)"
)
@pytest.mark.django_db(databases=["default", REPLICA], transaction=True)
def test_the_disclosure_reads_its_figures_from_the_replica(client):
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        resp = client.get(reverse("indicators:disclosure"), {"thang": "2026-10"})
    assert resp.status_code == 200
    assert any("indicators_citymonthstat" in q["sql"] for q in on_replica.captured_queries)
