"""The demo loader plays dossiers through the services: consistent codes, idempotent."""

import io
from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dossiers.demo import load_demo_dossiers
from dossiers.models import Dossier, DossierEvent, DossierSequence, OutboxMessage
from dossiers.workflow import SETTLED_STATUSES, Status
from procedures.models import Agency
from tests.factories import AgencyFactory, ProcedureFactory

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def catalogue(db):
    communes = [AgencyFactory(identifier_code=f"000.{i:02d}.01.H26") for i in range(3)]
    AgencyFactory(level=Agency.Level.DEPARTMENT, identifier_code="000.00.16.H26")
    for i in range(4):
        ProcedureFactory(agencies=communes, time_limit_value=3 + 2 * i, fee=10000 * (i % 2))
    return communes


def test_the_demo_creates_consistent_dossiers_over_two_years(catalogue):
    out = io.StringIO()
    created = load_demo_dossiers(count=60, stdout=out, now=NOW)
    assert created == 60
    assert "hồ sơ 60/60" in out.getvalue()
    dossiers = Dossier.objects.all()
    assert dossiers.count() == 60
    # Codes per agency and Hanoi day are 1..k with no gap, and the sequence row says k.
    numbers = defaultdict(list)
    for agency_id, day, number, code in dossiers.exclude(code=None).values_list(
        "agency_id", "sequence_day", "sequence", "code"
    ):
        numbers[agency_id, day].append(number)
        assert code.endswith(f"-{day:%y%m%d}-{number:04d}")
    for (agency_id, day), seen in numbers.items():
        assert sorted(seen) == list(range(1, len(seen) + 1))
        assert DossierSequence.objects.get(agency_id=agency_id, day=day).last == len(seen)
    # Timeliness exactly on settled dossiers; nothing happens after "now".
    for dossier in dossiers:
        assert bool(dossier.timeliness) == (dossier.status in SETTLED_STATUSES)
    assert not DossierEvent.objects.filter(at__gt=NOW).exists()
    assert dossiers.filter(status=Status.RETURNED).count() >= 45
    assert not OutboxMessage.objects.filter(delivered_at__isnull=True).exists()


def test_loading_again_only_tops_up(catalogue):
    load_demo_dossiers(count=20, now=NOW)
    assert load_demo_dossiers(count=20, now=NOW) == 0
    assert load_demo_dossiers(count=25, now=NOW) == 5
    assert Dossier.objects.count() == 25


def test_without_a_catalogue_the_demo_explains_and_creates_nothing(db):
    out = io.StringIO()
    assert load_demo_dossiers(count=10, stdout=out, now=NOW) == 0
    assert "bỏ qua" in out.getvalue()
