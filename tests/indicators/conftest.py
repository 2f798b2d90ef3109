"""Fixtures of the indicators tests: dossiers written straight with the ORM.

The lifecycle services are someone else's work; statistics only read dossier columns, so
the tests set those columns directly (as an import or a migration would).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dossiers.models import Dossier
from dossiers.workflow import Status
from procedures.models import Agency
from tests.auth import login  # noqa: F401 - re-exported for the tests here
from tests.factories import AgencyFactory, FieldFactory, ProcedureFactory

HN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y, m, d, h=9, mi=0) -> datetime:
    """An aware datetime in Hanoi time."""
    return datetime(y, m, d, h, mi, tzinfo=HN)


def make_dossier(
    procedure,
    agency,
    *,
    status=Status.PROCESSING,
    received=None,
    due=None,
    ready=None,
    closed=None,
    timeliness="",
    channel="desk",
    sync="pending",
    save=True,
) -> Dossier:
    d = Dossier(
        procedure=procedure,
        field_id=procedure.field_id,
        agency=agency,
        current_agency=agency,
        channel=channel,
        status=status,
        applicant_name="Nguyễn Văn Thử",
        submitted_at=received or at(2026, 1, 1),
        received_at=received,
        due_at=due,
        result_ready_at=ready,
        closed_at=closed,
        timeliness=timeliness,
        sync_state=sync,
    )
    if save:
        d.save()
    return d


@pytest.fixture
def field(db):
    return FieldFactory(code="LV-HT", name="Hộ tịch")


@pytest.fixture
def procedure(field):
    return ProcedureFactory(national_code="1.000001", name="Đăng ký khai sinh", field=field)


@pytest.fixture
def procedure2(field):
    return ProcedureFactory(national_code="1.000002", name="Đăng ký kết hôn", field=field)


@pytest.fixture
def department(db):
    return AgencyFactory(
        name="Sở Tư pháp",
        identifier_code="000.00.16.H26",
        level=Agency.Level.DEPARTMENT,
        unit_type="",
    )


@pytest.fixture(autouse=True)
def vietnamese():
    """Every test starts in Vietnamese (a request for English leaves it active otherwise)."""
    from django.utils import translation

    with translation.override("vi"):
        yield


@pytest.fixture
def reference(db):
    """The scorecard and targets of migration 0002 (a transactional test may have flushed
    them)."""
    from indicators.models import ScoreGroup, ScoreIndicator, Target
    from indicators.reference import ensure_reference_data

    ensure_reference_data(ScoreGroup, ScoreIndicator, Target)
