"""Fixtures of the catalogue tests: procedures written through the service, as in real life."""

from decimal import Decimal

import pytest

from procedures.models import Procedure
from procedures.services import DocumentSpec, TimeLimitSpec, procedure_upsert
from tests.factories import FieldFactory


@pytest.fixture
def make_procedure(db):
    field = FieldFactory(code="XAYDUNG", name="Hoạt động xây dựng")

    def make(national_code: str, name: str, **values):
        documents = values.pop("documents", None)
        time_limits = values.pop("time_limits", None)
        agencies = values.pop("agencies", None)
        base = {
            "name": name,
            "field": field,
            "at_commune": True,
            "time_limit_value": Decimal("15"),
            "time_limit_unit": "working_days",
            "status": Procedure.Status.PUBLISHED,
        }
        base.update(values)
        procedure, _ = procedure_upsert(
            national_code=national_code,
            values=base,
            agencies=agencies,
            documents=documents,
            time_limits=time_limits,
        )
        return procedure

    return make


@pytest.fixture
def building_permit(make_procedure, agency_a):
    return make_procedure(
        "1.009994",
        "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        fee=Decimal("75000"),
        online_mode=Procedure.OnlineMode.PARTIAL,
        dvcqg_integrated=True,
        agencies=[agency_a],
        steps="Bước 1: Nộp hồ sơ.\nBước 2: Nhận kết quả.",
        legal_basis="Luật Xây dựng số 50/2014/QH13",
        result_document="Giấy phép xây dựng",
        documents=[
            DocumentSpec("Đơn đề nghị cấp giấy phép xây dựng", "original", 1),
            DocumentSpec("Bản sao giấy tờ về quyền sử dụng đất", "copy", 2),
        ],
        time_limits=[TimeLimitSpec("online", "", Decimal("10"), "working_days")],
    )
