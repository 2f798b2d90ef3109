"""Fixtures of the officials' pages, forms, lookup and admin tests (helper "desk")."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from dossiers.models import Dossier, DossierEvent
from dossiers.workflow import Status
from tests.auth import login  # noqa: F401 - re-exported for the tests here
from tests.factories import ProcedureFactory

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def hanoi(*args) -> datetime:
    return datetime(*args, tzinfo=HANOI)


@pytest.fixture
def procedure_a(agency_a):
    proc = ProcedureFactory(name="Đăng ký khai sinh", national_code="1.001193", agencies=[agency_a])
    proc.required_documents.create(name="Tờ khai đăng ký khai sinh", order=1)
    proc.required_documents.create(
        name="Giấy chứng sinh", form="copy", order=2, copies=1, mandatory=True
    )
    proc.required_documents.create(
        name="Văn bản ủy quyền (nếu có)", form="either", order=3, mandatory=False
    )
    return proc


@pytest.fixture
def received_dossier(agency_a, procedure_a, desk_a):
    """A dossier received at the desk, built with the ORM (not through the services)."""
    dossier = Dossier.objects.create(
        code=f"{agency_a.identifier_code}-210108-0001",
        sequence_day=hanoi(2021, 1, 8).date(),
        sequence=1,
        procedure=procedure_a,
        field=procedure_a.field,
        agency=agency_a,
        current_agency=agency_a,
        channel="desk",
        status=Status.RECEIVED,
        applicant_name="Trần Thị Hồng Nhung",
        applicant_id_number="001190012345",
        applicant_phone="0912345678",
        applicant_email="nhung@example.vn",
        applicant_address="Số 5 phố Hàng Bạc, phường Hoàn Kiếm",
        documents=[
            {"name": "Tờ khai đăng ký khai sinh", "form": "original", "copies": 1},
            {"name": "Giấy chứng sinh", "form": "copy", "copies": 1},
        ],
        submitted_at=hanoi(2021, 1, 8, 9, 30),
        received_at=hanoi(2021, 1, 8, 9, 30),
        clock_started_at=hanoi(2021, 1, 8, 9, 30),
        limit_value=Decimal("5"),
        limit_unit="working_days",
        due_at=hanoi(2021, 1, 15, 17, 0),
        due_explanation={
            "rule": "working_days_from_next_day",
            "lines": ["5 ngày làm việc kể từ ngày làm việc tiếp theo ngày tiếp nhận."],
            "skipped": [
                {"date": "2021-01-09", "reason": "Thứ Bảy"},
                {"date": "2021-01-10", "reason": "Chủ nhật"},
            ],
        },
        created_by=desk_a,
    )
    DossierEvent.objects.create(
        dossier=dossier,
        at=dossier.received_at,
        actor=desk_a,
        agency=agency_a,
        action="receive",
        to_status=Status.RECEIVED,
        due_after=dossier.due_at,
    )
    return dossier
