"""Annual indices: the idempotent demo loader, the all-or-nothing import, targets, training."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from indicators.imports import IndexImportError, annual_index_import
from indicators.models import AnnualIndex, Target, TrainingRecord
from indicators.selectors import Totals, commune_training, procedure_coverage, targets_progress
from procedures.models import Agency, Procedure
from tests.factories import AgencyFactory, MembershipFactory, ProcedureFactory

from .conftest import login

CSV_OK = (
    "chi_so,nam,thanh_phan,ten,diem,diem_toi_da,xep_hang,nguon\n"
    'par,2025,,,"93,10",100,2,Bộ Nội vụ\n'
    "par,2025,par_3,Cải cách thủ tục hành chính,9.5,10,,\n"
)


def test_demo_loader_is_idempotent_and_uses_published_values(db):
    call_command("load_indicator_demo", "--no-stats", stdout=io.StringIO())
    call_command("load_indicator_demo", "--no-stats", stdout=io.StringIO())
    assert AnnualIndex.objects.count() == 5
    par = AnnualIndex.objects.get(kind="par", year=2024)
    assert (par.total, par.rank) == (Decimal("92.57"), 3)
    assert AnnualIndex.objects.get(kind="papi", year=2024).total == Decimal("43.7")
    assert par.components.count() == 8
    assert not par.components.exclude(value=None).exists()  # components are not invented


def test_csv_import_creates_total_and_component(db):
    result = annual_index_import(content=CSV_OK.encode("utf-8-sig"), filename="par.csv")
    assert (result.indices, result.components) == (1, 1)
    idx = AnnualIndex.objects.get(kind="par", year=2025)
    assert (idx.total, idx.rank) == (Decimal("93.10"), 2)
    assert idx.components.get().value == Decimal("9.5")


def test_import_with_one_bad_row_imports_nothing_and_names_row_and_column(db):
    bad = CSV_OK + "papi,2025,,,abc,80,,\n" + "xyz,1999,,,1,,,\n"
    with pytest.raises(IndexImportError) as exc:
        annual_index_import(content=bad.encode(), filename="x.csv")
    text = " | ".join(exc.value.errors)
    assert "Dòng 4, cột diem" in text
    assert "Dòng 5, cột chi_so" in text and "Dòng 5, cột nam" in text
    assert not AnnualIndex.objects.exists()


def test_xlsx_import(db):
    wb = Workbook()
    ws = wb.active
    ws.append(["chi_so", "nam", "diem", "xep_hang"])
    ws.append(["sipas", 2025, 87.2, 9])
    out = io.BytesIO()
    wb.save(out)
    annual_index_import(content=out.getvalue(), filename="s.xlsx")
    assert AnnualIndex.objects.get(kind="sipas", year=2025).total == Decimal("87.2")


def test_admin_import_page_reports_errors(client, sysadmin):
    login(client, sysadmin)
    url = reverse("admin:indicators_annualindex_import")
    assert client.get(url).status_code == 200
    f = io.BytesIO(b"chi_so,nam,diem\npar,2025,-1\n")
    f.name = "bad.csv"
    resp = client.post(url, {"file": f})
    assert resp.status_code == 200
    assert "Dòng 2, cột diem" in resp.content.decode()
    f = io.BytesIO(CSV_OK.encode())
    f.name = "ok.csv"
    resp = client.post(url, {"file": f})
    assert resp.status_code == 302
    assert AnnualIndex.objects.get(kind="par", year=2025).updated_by == sysadmin


def test_portal_accounts_are_not_the_training_denominator_the_roster_is(db):
    commune = AgencyFactory(level=Agency.Level.COMMUNE)
    trained = MembershipFactory(agency=commune).user
    MembershipFactory(agency=commune)  # not trained
    TrainingRecord.objects.create(
        official=trained, course="Tập huấn 2021", date="2021-06-01", topic="par"
    )
    # Portal accounts of commune agencies are not the officials who must be trained
    # (issue 9): without an imported roster there is no denominator.
    assert commune_training() == (0, 0)


def test_targets_of_2021_show_progress_with_denominators(reference):
    ProcedureFactory(online_mode=Procedure.OnlineMode.FULL, dvcqg_integrated=True)
    ProcedureFactory(online_mode=Procedure.OnlineMode.NONE)
    ProcedureFactory(online_mode=Procedure.OnlineMode.PARTIAL, dvcqg_integrated=False)
    coverage = procedure_coverage()
    totals = Totals(settled_early=98, settled_late=2, rating_5=9, rating_1=1)
    progress = {p.target.metric: p for p in targets_progress(2021, totals, coverage)}
    assert progress["on_time_rate"].actual == Decimal("98.00") and not progress["on_time_rate"].met
    assert progress["satisfaction_rate"].met
    dvcqg = progress["dvcqg_integration"]
    # Denominator: procedures offered at level 3/4 (full or partial online), not all.
    assert (dvcqg.numerator, dvcqg.denominator, dvcqg.met) == (1, 2, True)
    assert progress["commune_trained"].actual is None  # no commune officials yet


def test_a_later_target_replaces_the_2021_one_from_its_year(reference):
    Target.objects.create(metric="on_time_rate", year_from=2024, value=Decimal("99.5"))
    totals, coverage = Totals(), procedure_coverage()
    by_year = {
        y: {p.target.metric: p.target.value for p in targets_progress(y, totals, coverage)}
        for y in (2023, 2024)
    }
    assert by_year[2023]["on_time_rate"] == 99
    assert by_year[2024]["on_time_rate"] == Decimal("99.5")
