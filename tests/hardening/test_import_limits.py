# ruff: noqa: E501 - the OOXML boilerplate below is kept one part per line
"""Uploads are read as a stream and refused as soon as they pass a limit (issue 12): a
1.9-million-row XLSX took 110 s and +728 MB before the 20,000-row limit refused it."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest

from hanoi_cchc.table_import import TableError, read_table
from indicators.imports import IndexImportError, annual_index_import
from procedures.importers import import_procedures

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def big_xlsx(rows: int, header: str = "national_code") -> bytes:
    """An XLSX of ``rows`` one-cell rows, written as sheet XML straight into the zip."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
                + header.encode()
                + b"</t></is></c></row>"
            )
            # No <dimension> and no row numbers, like the attack's file; identical rows
            # keep the generation cheap.
            block = b"<row><c><v>1</v></c></row>" * 10_000
            for _ in range(rows // 10_000):
                sheet.write(block)
            sheet.write(b"<row><c><v>1</v></c></row>" * (rows % 10_000))
            sheet.write(b"</sheetData></worksheet>")
    return buf.getvalue()


@pytest.fixture(scope="module")
def huge_xlsx() -> bytes:
    return big_xlsx(1_900_000)


def _bounded(call):
    tracemalloc.start()
    started = time.monotonic()
    try:
        outcome = call()
    finally:
        elapsed = time.monotonic() - started
        _now, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return outcome, elapsed, peak


def test_the_generated_file_is_the_reported_attack(huge_xlsx):
    assert len(huge_xlsx) < 10 * 1024 * 1024  # under the upload limit: it gets parsed


@pytest.mark.django_db
def test_a_catalogue_import_of_1_9_million_rows_is_refused_within_seconds(huge_xlsx):
    report, elapsed, peak = _bounded(
        lambda: import_procedures(filename="tthc.xlsx", content=huge_xlsx)
    )
    assert report.errors
    assert report.created == 0
    assert elapsed < 15, elapsed
    assert peak < 100 * 1024 * 1024, peak


@pytest.mark.django_db
def test_an_index_import_of_1_9_million_rows_is_refused_within_seconds(huge_xlsx):
    def run():
        with pytest.raises(IndexImportError):
            annual_index_import(content=huge_xlsx, filename="chi-so.xlsx")

    _none, elapsed, peak = _bounded(run)
    assert elapsed < 15, elapsed
    assert peak < 100 * 1024 * 1024, peak


def test_the_row_limit_counts_data_rows_not_the_header():
    content = big_xlsx(5)
    assert len(read_table(content, "a.xlsx", max_rows=5)) == 6
    with pytest.raises(TableError):
        read_table(content, "a.xlsx", max_rows=4)


def test_empty_rows_count_towards_the_scan_limit():
    text = "h\n" + ",\n" * 50 + "x\n"
    with pytest.raises(TableError):
        read_table(text.encode(), "a.csv", max_rows=10, max_scanned=20)


def test_reading_stops_at_the_time_limit():
    ticks = iter(range(0, 10_000, 5))
    content = ("h\n" + "x\n" * 5000).encode()
    with pytest.raises(TableError):
        read_table(content, "a.csv", max_rows=10_000, seconds=3, clock=lambda: next(ticks))


def test_columns_past_the_limit_are_never_materialised():
    content = ("h" + ",h" * 5000 + "\n" + "x" + ",x" * 5000 + "\n").encode()
    rows = read_table(content, "a.csv", max_rows=10, max_cols=30)
    assert [len(r) for r in rows] == [30, 30]
