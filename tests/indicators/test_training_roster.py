"""The commune training target measured against an imported roster (all or nothing)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import Workbook

from indicators import selectors
from indicators.models import TrainingRosterEntry
from indicators.roster import RosterImportError, roster_import
from procedures.models import Agency
from tests.factories import AgencyFactory

HEADER = "ma_don_vi,ho_ten,so_dinh_danh,chuc_vu,ngay_tap_huan\n"


@pytest.fixture
def communes(db):
    return (
        AgencyFactory(level=Agency.Level.COMMUNE, identifier_code="X1", gso_code="00001"),
        AgencyFactory(level=Agency.Level.COMMUNE, identifier_code="X2", gso_code="00002"),
        AgencyFactory(level=Agency.Level.DEPARTMENT, identifier_code="S1", gso_code=""),
    )


def csv_file(*lines: str) -> bytes:
    return (HEADER + "\n".join(lines) + "\n").encode("utf-8")


def test_the_training_rate_is_measured_against_the_roster_per_commune_and_city(communes):
    x1, x2, _ = communes
    result = roster_import(
        content=csv_file(
            "X1,Nguyễn Văn A,001,Chủ tịch,2024-05-06",
            "X1,Trần Thị B,002,Công chức tư pháp,",
            "00002,Lê Văn C,003,Công chức văn phòng,06/05/2025",
            "X2,Phạm Thị D,004,,",
        ),
        filename="danh-sach.csv",
    )
    assert (result.communes, result.officials, result.trained) == (2, 4, 2)
    assert selectors.commune_training(as_of=date(2025, 12, 31)) == (2, 4)
    assert selectors.commune_training(as_of=date(2024, 12, 31)) == (1, 4)  # C trained in 2025
    assert selectors.commune_training(as_of=date(2025, 12, 31), agency_id=x1.id) == (1, 2)
    by = {
        r["agency_id"]: (r["trained"], r["total"]) for r in selectors.commune_training_by_commune()
    }
    assert by == {x1.id: (1, 2), x2.id: (1, 2)}


def test_a_file_with_any_bad_row_imports_nothing_and_names_every_row(communes):
    roster_import(content=csv_file("X1,Nguyễn Văn A,001,,"), filename="a.csv")
    with pytest.raises(RosterImportError) as exc:
        roster_import(
            content=csv_file(
                "X1,Trần Thị B,002,,",
                "ZZ,Không có,005,,",  # unknown commune
                "S1,Sở,006,,",  # not a commune
                "X1,,007,,",  # no name
                "X1,Ngày sai,008,,31/02/2025",
                "X1,Trùng,002,,",  # same id number twice in one commune
            ),
            filename="b.csv",
        )
    assert [e.split(",")[0] for e in exc.value.errors] == [
        "Dòng 3",
        "Dòng 4",
        "Dòng 5",
        "Dòng 6",
        "Dòng 7",
    ]
    assert list(TrainingRosterEntry.objects.values_list("full_name", flat=True)) == ["Nguyễn Văn A"]


def test_a_communes_new_list_replaces_its_old_one_and_xlsx_is_read_too(communes):
    roster_import(content=csv_file("X1,A,1,,", "X1,B,2,,", "X2,C,3,,"), filename="a.csv")
    wb = Workbook()
    ws = wb.active
    ws.append(["ma_don_vi", "ho_ten", "ngay_tap_huan"])
    ws.append(["X1", "Mới", date(2025, 3, 1)])
    buf = io.BytesIO()
    wb.save(buf)
    roster_import(content=buf.getvalue(), filename="x1.xlsx")
    assert sorted(TrainingRosterEntry.objects.values_list("full_name", "trained_on")) == [
        ("C", None),
        ("Mới", date(2025, 3, 1)),
    ]


def test_the_admin_imports_a_roster_and_shows_row_errors(communes, client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:indicators_trainingrosterentry_import")
    bad = io.BytesIO(csv_file("ZZ,Không có,1,,"))
    bad.name = "bad.csv"
    resp = client.post(url, {"file": bad})
    assert resp.status_code == 200 and b'id="import-errors"' in resp.content
    good = io.BytesIO(csv_file("X1,Nguyễn Văn A,1,,2025-01-02"))
    good.name = "good.csv"
    assert client.post(url, {"file": good}).status_code == 302
    assert TrainingRosterEntry.objects.count() == 1
