"""Dashboards and disclosure: status codes, login, scoping, bounded queries, same figures."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from dossiers.workflow import Status
from indicators.services import stats_full_recompute

from .conftest import at, login, make_dossier

NOW = at(2026, 11, 20, 10)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def stats(procedure, procedure2, agency_a, agency_b, reference):
    """October 2026: agency A settles 3 (2 early, 1 late), B settles 1 on time."""
    for p, a, tl in [
        (procedure, agency_a, "early"),
        (procedure2, agency_a, "early"),
        (procedure, agency_a, "late"),
        (procedure, agency_b, "on_time"),
    ]:
        make_dossier(
            p,
            a,
            status=Status.RETURNED,
            received=at(2026, 10, 2),
            due=at(2026, 10, 9),
            ready=at(2026, 10, 8),
            closed=at(2026, 10, 9),
            timeliness=tl,
            channel="online",
        )
    make_dossier(procedure, agency_b, received=at(2026, 10, 20), due=at(2026, 10, 27))
    stats_full_recompute(year=2026)


def test_dashboards_require_login(client, stats, agency_a, procedure):
    for url in [
        reverse("indicators:city"),
        reverse("indicators:agency", args=[agency_a.pk]),
        reverse("indicators:procedure", args=[procedure.pk]),
        reverse("indicators:indices"),
    ]:
        resp = client.get(url)
        assert resp.status_code == 302
        assert "/dang-nhap/" in resp["Location"]


def test_a_user_without_a_role_is_refused(client, outsider, stats):
    login(client, outsider)
    assert client.get(reverse("indicators:city")).status_code == 403


def test_inspector_sees_the_city_overview_within_bounded_queries(
    client, inspector, stats, django_assert_max_num_queries
):
    login(client, inspector)
    with django_assert_max_num_queries(20):
        resp = client.get(reverse("indicators:city"), {"nam": 2026})
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "<svg" in body and "Chỉ tiêu kế hoạch" in body
    assert resp.context["totals"].settled == 4
    # Four settled, three early or on time: the denominator is shown beside the rate.
    assert "3/4 hồ sơ đã giải quyết" in body


def test_agency_official_sees_own_agency_but_not_another(client, desk_a, stats, agency_a, agency_b):
    login(client, desk_a)
    assert client.get(reverse("indicators:city")).status_code == 200
    assert client.get(reverse("indicators:agency", args=[agency_a.pk])).status_code == 200
    assert client.get(reverse("indicators:agency", args=[agency_b.pk])).status_code == 404


def test_agency_page_shows_its_own_figures_and_circular_score(
    client, leader_a, stats, agency_a, django_assert_max_num_queries
):
    login(client, leader_a)
    with django_assert_max_num_queries(20):
        resp = client.get(reverse("indicators:agency", args=[agency_a.pk]), {"nam": 2026})
    assert resp.status_code == 200
    assert resp.context["totals"].settled == 3
    # Time points (2+2+0)/3 = 1.33, online 100 % → 2; mean 1.665 × 9 ≈ 14.98: good.
    assert Decimal("14.9") < resp.context["circular"].score < 15
    assert str(resp.context["circular"].band) == "Tốt"


def test_procedure_page_is_scoped_to_the_officials_agency(
    client, desk_a, inspector, stats, procedure
):
    login(client, desk_a)
    resp = client.get(reverse("indicators:procedure", args=[procedure.pk]), {"nam": 2026})
    assert resp.status_code == 200
    assert resp.context["totals"].settled == 2
    login(client, inspector)
    resp = client.get(reverse("indicators:procedure", args=[procedure.pk]), {"nam": 2026})
    assert resp.context["totals"].settled == 3


def test_public_disclosure_needs_no_login_and_defaults_to_last_month(
    client, stats, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        resp = client.get(reverse("indicators:disclosure"))
    assert resp.status_code == 200
    assert resp.context["month"] == date(2026, 10, 1)
    body = resp.content.decode()
    assert "UBND phường Hoàn Kiếm" in body and "(2/3)" in body


def test_disclosure_matches_the_dashboard_for_the_same_month(client, inspector, stats, agency_a):
    public = client.get(reverse("indicators:disclosure"), {"thang": "2026-10"})
    login(client, inspector)
    dash = client.get(reverse("indicators:city"), {"nam": 2026})
    october = next(m for m in dash.context["monthly"] if m.key == date(2026, 10, 1))
    totals = public.context["totals"]
    assert (totals.received, totals.settled, totals.on_time, totals.open_overdue) == (
        october.received,
        october.settled,
        october.on_time,
        october.open_overdue,
    )
    rows = {r.key: r for r in public.context["groups"]["Cấp xã"]}
    agency_page = client.get(reverse("indicators:agency", args=[agency_a.pk]), {"nam": 2026})
    oct_a = next(m for m in agency_page.context["monthly"] if m.key == date(2026, 10, 1))
    assert rows[agency_a.pk].on_time_rate == oct_a.on_time_rate


NAME = "Cơ quan, đơn vị / lĩnh vực"


def _norm(value):
    """A cell as a number when it is one (XLSX keeps 100, CSV writes 100.0)."""
    if value is None:
        return ""
    try:
        return float(value)
    except ValueError:
        return value


def test_disclosure_csv_has_a_bom_and_the_city_total(client, stats, field):
    resp = client.get(reverse("indicators:disclosure"), {"thang": "2026-10", "dinh-dang": "csv"})
    assert resp["Content-Type"].startswith("text/csv")
    raw = resp.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    # The first line is the header row, so a plain CSV reader gets named columns.
    rows = list(csv.DictReader(io.StringIO(raw[1:])))
    assert {r["Tháng"] for r in rows} == {"2026-10"}
    assert rows[-1][NAME] == "Toàn Thành phố"
    assert rows[-1]["Đã giải quyết"] == "4"
    assert [r[NAME] for r in rows[:-1]] == ["UBND phường Hoàn Kiếm", "UBND xã Sóc Sơn", field.name]
    # Channel split and open stocks are columns of their own.
    assert rows[-1]["Trực tuyến"] == "4" and rows[-1]["Trực tiếp"] == "1"
    assert rows[-1]["Đang giải quyết, quá hạn"] == "1"
    assert "2026-10" in resp["Content-Disposition"]


def test_disclosure_xlsx_equals_the_csv_with_a_frozen_header(client, stats, field):
    resp = client.get(reverse("indicators:disclosure"), {"thang": "2026-10", "dinh-dang": "xlsx"})
    ws = load_workbook(io.BytesIO(resp.content)).active
    names = [ws.cell(row=r, column=2).value for r in range(3, ws.max_row + 1)]
    assert names == ["UBND phường Hoàn Kiếm", "UBND xã Sóc Sơn", field.name, "Toàn Thành phố"]
    assert ws.freeze_panes == "C3"
    assert ws.column_dimensions["B"].width >= 40
    csv_resp = client.get(
        reverse("indicators:disclosure"), {"thang": "2026-10", "dinh-dang": "csv"}
    )
    csv_rows = list(csv.reader(io.StringIO(csv_resp.content.decode("utf-8")[1:])))[1:]
    for r, csv_row in zip(range(3, ws.max_row + 1), csv_rows, strict=True):
        xlsx_row = [ws.cell(row=r, column=c).value for c in range(1, ws.max_column + 1)]
        assert [_norm(v) for v in xlsx_row] == [_norm(v) for v in csv_row[1:]]


def test_disclosure_downloads_never_start_a_cell_with_a_formula(client, stats, agency_a):
    agency_a.name = '=HYPERLINK("http://evil")'
    agency_a.save()
    csv_resp = client.get(
        reverse("indicators:disclosure"), {"thang": "2026-10", "dinh-dang": "csv"}
    )
    rows = list(csv.reader(io.StringIO(csv_resp.content.decode("utf-8")[1:])))
    assert all(not str(c).startswith("=") for row in rows for c in row)
    assert any(c.startswith("'=HYPERLINK") for row in rows for c in row)
    xlsx = client.get(reverse("indicators:disclosure"), {"thang": "2026-10", "dinh-dang": "xlsx"})
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in values)


@pytest.mark.parametrize("bad", ["abc", "2026-13", "2030-01"])
def test_disclosure_rejects_bad_months_with_a_message(client, stats, bad):
    resp = client.get(reverse("indicators:disclosure"), {"thang": bad})
    assert resp.status_code == 200
    assert resp.context["month"] == date(2026, 10, 1)
    assert "Tháng không hợp lệ" in resp.content.decode()


@pytest.mark.parametrize("bad", ["abc", "2019", "2031", "-1"])
@pytest.mark.parametrize("page", ["city", "agency", "procedure"])
def test_dashboards_say_so_when_the_year_is_invalid(
    client, inspector, stats, agency_a, procedure, bad, page
):
    login(client, inspector)
    args = {"city": [], "agency": [agency_a.pk], "procedure": [procedure.pk]}[page]
    resp = client.get(reverse(f"indicators:{page}", args=args), {"nam": bad})
    assert resp.status_code == 200
    assert resp.context["year"] == 2026
    assert "Năm không hợp lệ" in resp.content.decode()


def test_a_valid_year_gives_no_message(client, inspector, stats):
    login(client, inspector)
    resp = client.get(reverse("indicators:city"), {"nam": "2025"})
    assert resp.context["year"] == 2025
    assert "Năm không hợp lệ" not in resp.content.decode()


def test_the_monthly_table_runs_to_the_current_month(client, inspector, stats):
    login(client, inspector)
    resp = client.get(reverse("indicators:city"))
    assert [m.label for m in resp.context["monthly"]][-3:] == ["09/2026", "10/2026", "11/2026"]
    # November is still running: both monthly tables say so; October is a full month.
    body = resp.content.decode()
    assert body.count('<th scope="row">11/2026 <span class="muted small">(đến nay)</span>') == 2
    assert body.count('<th scope="row">10/2026</th>') == 2


def test_indices_page_lists_each_index(client, inspector, db):
    login(client, inspector)
    resp = client.get(reverse("indicators:indices"))
    assert resp.status_code == 200
    assert "PAPI" in resp.content.decode()


@pytest.mark.skipif(
    not (
        Path(__file__).resolve().parents[2] / "indicators/locale/en/LC_MESSAGES/django.mo"
    ).exists(),
    reason="English catalogue not compiled (make messages)",
)
def test_disclosure_speaks_english_when_asked(client, stats):
    client.cookies["django_language"] = "en"
    resp = client.get(reverse("indicators:disclosure"), {"thang": "2026-10"})
    body = resp.content.decode()
    assert "Settlement results of administrative procedures, 10/2026" in body
    assert "On-time rate (numerator/denominator)" in body
