"""The read-only indicators API: figures from the statistics tables, scoped like the
dashboards, with each rate's denominator stated."""

from __future__ import annotations

from datetime import date

import pytest

from indicators import rollups
from indicators.models import AnnualIndex, MonthlyStat
from tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stats(agency_a, agency_b):
    procedure = ProcedureFactory()
    common = {"procedure": procedure, "field_id": procedure.field_id}
    MonthlyStat.objects.create(
        agency=agency_a,
        month=date(2026, 3, 1),
        received=100,
        received_online=40,
        settled_early=80,
        settled_on_time=18,
        settled_late=2,
        synced=99,
        **common,
    )
    MonthlyStat.objects.create(
        agency=agency_b, month=date(2026, 3, 1), received=7, settled_late=7, **common
    )
    rollups.rebuild_months([date(2026, 3, 1)])  # what the recomputes do after the cells
    return procedure


def test_figures_by_field_are_scoped_like_the_dashboards(api, leader_a, inspector, stats):
    query = {"first": "2026-01", "last": "2026-06"}
    mine = api(leader_a).get("/api/v1/indicators/fields/", query)
    assert mine.status_code == 200
    assert [(r["key"], r["received"]) for r in mine.json()] == [(str(stats.field_id), 100)]
    city = api(inspector).get("/api/v1/indicators/fields/", query)
    assert [r["received"] for r in city.json()] == [107]


def test_an_official_gets_their_own_agencys_totals_with_denominators(api, leader_a, stats):
    response = api(leader_a).get(
        "/api/v1/indicators/totals/", {"first": "2026-01", "last": "2026-06"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["received"] == 100  # agency B's 7 are not included
    assert body["settled"] == 100
    assert body["on_time_rate"] == 98.0
    assert body["online_rate"] == 40.0
    assert "đã giải quyết" in body["denominators"]["on_time_rate"]


def test_the_inspector_reads_the_city_and_every_agency(api, inspector, stats, agency_b):
    client = api(inspector)
    city = client.get("/api/v1/indicators/totals/", {"first": "2026-03", "last": "2026-03"})
    assert city.json()["received"] == 107
    rows = client.get("/api/v1/indicators/agencies/", {"first": "2026-03", "last": "2026-03"})
    assert len(rows.json()) == 2
    assert str(agency_b.pk) in {r["key"] for r in rows.json()}


def test_another_agencys_figures_are_404_for_an_official(api, leader_a, stats, agency_b):
    client = api(leader_a)
    for path in ("totals", "agencies", "monthly"):
        response = client.get(f"/api/v1/indicators/{path}/", {"agency": agency_b.pk})
        assert response.status_code == 404, path
    rows = client.get("/api/v1/indicators/agencies/", {"first": "2026-03", "last": "2026-03"})
    assert [r["label"] for r in rows.json()] == ["UBND phường Hoàn Kiếm"]


def test_the_monthly_trend_has_every_month_of_the_period(api, leader_a, stats):
    rows = api(leader_a).get("/api/v1/indicators/monthly/", {"first": "2026-02", "last": "2026-04"})
    assert [r["label"] for r in rows.json()] == ["02/2026", "03/2026", "04/2026"]
    assert [r["received"] for r in rows.json()] == [0, 100, 0]


def test_bad_periods_are_400(api, leader_a):
    client = api(leader_a)
    for params in ({"first": "2026-13"}, {"first": "2026-05", "last": "2026-01"}):
        response = client.get("/api/v1/indicators/totals/", params)
        assert response.status_code == 400
        assert "first" in response.json()["error"]["fields"]


def test_outsiders_get_no_statistics_but_the_public_parts_are_open(api, outsider, db):
    AnnualIndex.objects.create(kind="par", year=2024, total="92.57", rank=3)
    assert api(outsider).get("/api/v1/indicators/totals/").status_code == 403
    annual = api().get("/api/v1/indicators/annual/", {"kind": "par"})
    assert annual.status_code == 200
    assert annual.json()[0]["total"] == "92.57"
    assert api().get("/api/v1/indicators/coverage/").status_code == 200
