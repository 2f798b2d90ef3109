"""Every CSV/XLSX the portal writes neutralises formulas (issue 12: CSV/formula injection).

EXPORTS lists every export in one place; a guard test fails when a module writes CSV or
XLSX without going through hanoi_cchc.spreadsheets, so a new export must be added here.
Data comes in with names an outsider may have given (an agency or procedure named
"=HYPERLINK(...)"); no text cell of any export may start with a formula character.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hanoi_cchc.spreadsheets import FORMULA_STARTS
from indicators import rollups
from indicators.models import MonthlyStat
from indicators.periods import last_complete_month
from tests.auth import login
from tests.factories import AgencyFactory, FieldFactory, ProcedureFactory

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ['=HYPERLINK("http://x.example","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]

# name -> (who downloads it, URL); {month} is the last complete month.
EXPORTS = {
    "disclosure.csv": ("anonymous", "/chi-so/cong-khai/?thang={month}&dinh-dang=csv"),
    "disclosure.xlsx": ("anonymous", "/chi-so/cong-khai/?thang={month}&dinh-dang=xlsx"),
    "catalogue.csv": ("sysadmin", "/admin/procedures/procedure/export/csv/"),
    "catalogue.xlsx": ("sysadmin", "/admin/procedures/procedure/export/xlsx/"),
    "catalogue sample.csv": ("sysadmin", "/admin/procedures/procedure/import/sample.csv"),
}
# Modules that write spreadsheets; each must use hanoi_cchc.spreadsheets.
WRITERS = re.compile(r"csv\.writer\(|csv\.DictWriter\(|Workbook\(|xlsxwriter")


@pytest.fixture
def hostile_data(db):
    month = last_complete_month()
    field = FieldFactory(name=HOSTILE[3])
    for name in HOSTILE:
        agency = AgencyFactory(name=name, short_name=name)
        procedure = ProcedureFactory(name=name, field=field, agencies=[agency])
        MonthlyStat.objects.create(
            agency=agency, field=field, procedure=procedure, month=month, received=1
        )
    rollups.rebuild_months([month])  # the pages and downloads read the roll-ups
    return month


def cells(response) -> list:
    if response["Content-Type"].startswith("text/csv"):
        text = response.content.decode("utf-8-sig")
        return [c for row in csv.reader(io.StringIO(text)) for c in row]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_no_export_writes_a_live_formula(name, hostile_data, client, sysadmin):
    who, url = EXPORTS[name]
    if who == "sysadmin":
        login(client, sysadmin)
    response = client.get(url.format(month=f"{hostile_data:%Y-%m}"))
    assert response.status_code == 200, url
    values = [c for c in cells(response) if isinstance(c, str)]
    assert values
    live = [c for c in values if c.startswith(FORMULA_STARTS)]
    assert live == []
    if "sample" not in name:
        assert "'" + HOSTILE[0] in values  # the hostile names are there, neutralised


def test_every_module_that_writes_a_spreadsheet_goes_through_the_one_guard():
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        if {"tests", "node_modules", ".venv", "bench", "migrations"} & set(path.parts):
            continue
        text = path.read_text(encoding="utf-8")
        if WRITERS.search(text) and "hanoi_cchc.spreadsheets" not in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
