import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from procedures.exporters import export_csv, export_xlsx
from procedures.importers import COLUMN_NAMES, import_procedures
from procedures.models import Field, Procedure, RequiredDocument

pytestmark = pytest.mark.django_db

GOOD = {
    "national_code": "1.004444",
    "name": "Đăng ký khai sinh",
    "field_code": "HOTICH",
    "field_name": "Hộ tịch",
    "levels": "xa",
    "time_limit_value": "1",
    "time_limit_unit": "ngày làm việc",
    "fee": "0",
    "online_mode": "toàn trình",
    "dvcqg_integrated": "có",
    "documents": "Tờ khai đăng ký khai sinh | bản chính | 1\nGiấy chứng sinh | original | 1",
    "time_limits": "online | | 0,5 | working_days",
}


def csv_bytes(rows, header=None):
    header = header or list(GOOD)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows):
    book = Workbook()
    sheet = book.active
    header = list(GOOD)
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(h, "") for h in header])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_good_csv_creates_the_procedure_with_documents_and_variants():
    report = import_procedures(filename="tt.csv", content=csv_bytes([GOOD]))
    assert report.ok, report.errors
    assert report.created == 1
    procedure = Procedure.objects.get(national_code="1.004444")
    assert procedure.online_mode == "full" and procedure.dvcqg_integrated and procedure.at_commune
    assert procedure.search_text.startswith("dang ki khai sinh")
    assert [d.form for d in procedure.required_documents.all()] == ["original", "original"]
    assert str(procedure.time_limits.get().value) == "0.5"


@pytest.mark.parametrize("make_file,filename", [(csv_bytes, "tt.csv"), (xlsx_bytes, "tt.xlsx")])
def test_a_bad_row_is_reported_with_row_and_column_and_nothing_is_written(make_file, filename):
    other = {**GOOD, "national_code": "1.005555", "name": "Đăng ký khai tử"}
    bad = {**GOOD, "national_code": "1.006666", "time_limit_value": "năm ngày"}
    report = import_procedures(filename=filename, content=make_file([GOOD, other, bad]))
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(4, "time_limit_value")]
    assert Procedure.objects.count() == 0
    assert Field.objects.count() == 0


def test_every_bad_row_is_listed():
    rows = [
        {**GOOD, "national_code": "1.0044"},
        {**GOOD, "national_code": "1.007777", "online_mode": "mức 5", "agencies": "999.99.99.H26"},
        {**GOOD, "national_code": "1.004444"},
        GOOD,
    ]
    header = [*GOOD, "agencies"]
    report = import_procedures(filename="tt.csv", content=csv_bytes(rows, header))
    assert {(e.row, e.column) for e in report.errors} == {
        (2, "national_code"),
        (3, "online_mode"),
        (3, "agencies"),
        (5, "national_code"),  # duplicate of row 4
    }
    assert Procedure.objects.count() == 0


def test_an_existing_procedure_is_left_untouched_when_the_file_has_a_bad_row(make_procedure):
    make_procedure("1.004444", "Tên cũ")
    rows = [{**GOOD, "name": "Tên mới"}, {**GOOD, "national_code": "x"}]
    report = import_procedures(filename="tt.csv", content=csv_bytes(rows))
    assert not report.ok
    assert Procedure.objects.get(national_code="1.004444").name == "Tên cũ"


def test_missing_required_column_and_wrong_file_type_are_reported():
    header = [h for h in GOOD if h != "name"]
    report = import_procedures(
        filename="tt.csv", content=csv_bytes([{h: GOOD[h] for h in header}], header)
    )
    assert [(e.row, e.column) for e in report.errors] == [(1, "name")]
    assert not import_procedures(filename="tt.pdf", content=b"%PDF").ok
    assert not import_procedures(filename="tt.csv", content="tên".encode("utf-16")).ok


def test_export_csv_has_a_bom_and_the_diacritics(building_permit):
    data = export_csv(Procedure.objects.all())
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ" in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == COLUMN_NAMES
    assert (
        "Bản sao giấy tờ về quyền sử dụng đất | copy | 2"
        in rows[1][COLUMN_NAMES.index("documents")]
    )


def test_export_xlsx_has_the_diacritics_and_imports_back_unchanged(building_permit):
    data = export_xlsx(Procedure.objects.all())
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["B2"].value == "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"
    report = import_procedures(filename="back.xlsx", content=data)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert RequiredDocument.objects.count() == 2


def test_management_command_imports_and_fails_loudly(tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([GOOD]))
    out = io.StringIO()
    call_command("import_procedures", str(good), stdout=out)
    assert "1 mới" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([{**GOOD, "national_code": "1.008888", "fee": "-5"}]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_procedures", str(bad), stderr=err)
    assert "dòng 2, cột fee" in err.getvalue()
    assert not Procedure.objects.filter(national_code="1.008888").exists()
