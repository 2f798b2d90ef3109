"""Fixtures of the lifecycle tests (helper "lifecycle"): import with `from .lifecycle_fixtures
import *` in a test module. They build on the shared cast of tests/conftest.py.

Dates are chosen in weeks without public holidays: Monday 1 March 2021 is the usual receipt
day; 5 working days later is Monday 8 March 2021, 17:00.
"""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from dossiers import services
from dossiers.calendar_store import clear_cache
from tests.factories import ProcedureFactory

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
APPLICANT = {
    "name": "Lê Thị Mai",
    "id_number": "001190004321",
    "phone": "0987654321",
    "email": "mai@example.vn",
    "address": "Số 12 phố Hàng Gai, Hoàn Kiếm",
}
DOCUMENTS = [{"name": "Tờ khai", "form": "original", "copies": 1}]


def hanoi(*args) -> datetime:
    return datetime(*args, tzinfo=HANOI)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    # The calendar is cached per process; a test database starts without overrides.
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def proc5(agency_a, agency_b):
    """5 working days, done by agencies A and B, supplement within 3 working days."""
    return ProcedureFactory(
        name="Cấp giấy phép xây dựng nhà ở riêng lẻ",
        time_limit_value=Decimal("5"),
        time_limit_unit="working_days",
        agencies=[agency_a, agency_b],
    )


@pytest.fixture
def receive(desk_a, agency_a, proc5):
    """receive(at, **overrides): a dossier received at agency A's desk through the service."""

    def _receive(at=None, **kwargs):
        params = {
            "actor": desk_a,
            "procedure": proc5,
            "agency": agency_a,
            "channel": "desk",
            "applicant": dict(APPLICANT),
            "documents": list(DOCUMENTS),
            "received_at": at or hanoi(2021, 3, 1, 9, 0),
        }
        params.update(kwargs)
        return services.dossier_receive(**params)

    return _receive


@pytest.fixture
def act(leader_a):
    """act(dossier, action, at, actor=leader_a, **params) -> the refreshed dossier."""

    def _act(dossier, action, at, actor=leader_a, **params):
        return services.dossier_transition(
            actor=actor, dossier_id=dossier.pk, action=action, at=at, **params
        )

    return _act


__all__ = ["APPLICANT", "DOCUMENTS", "HANOI", "act", "hanoi", "proc5", "receive", "_fresh_calendar"]
