"""The demo loader: consistent codes, top-up only, demo outbox rows never sent."""

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
    # The demo's history never went to DVCQG: nothing claims it was delivered, nothing sends it.
    assert OutboxMessage.objects.exists()
    assert not OutboxMessage.objects.filter(delivered_at__isnull=False).exists()
    assert not OutboxMessage.objects.filter(demo=False).exists()
    assert not dossiers.exclude(sync_state=Dossier.SyncState.NOT_REQUIRED).exists()


def test_the_sweep_never_picks_demo_rows_up(catalogue, settings):
    from dossiers.sync import deliver_pending, due_dossier_ids

    load_demo_dossiers(count=10, now=NOW)
    assert due_dossier_ids() == []
    settings.DVCQG_ENDPOINT = "http://127.0.0.1:9/never"  # a post would fail loudly
    dossier = Dossier.objects.first()
    result = deliver_pending(dossier_id=dossier.pk)
    assert result.delivered == 0 and not result.error
    assert not OutboxMessage.objects.filter(delivered_at__isnull=False).exists()


def test_a_later_change_to_a_demo_dossier_stays_demo_data(catalogue):
    from dossiers.services import dossier_receive, dossier_transition

    procedure = catalogue[0].procedures.first()
    dossier = dossier_receive(
        actor=None,
        received_at=NOW,
        procedure=procedure,
        agency=catalogue[0],
        channel="desk",
        applicant={
            "name": "Lê Văn An",
            "phone": "0912000111",
            "id_number": "001090000111",
            "email": "congdan1@vidu.invalid",
        },
        documents=[],
    )
    dossier_transition(actor=None, dossier_id=dossier.pk, action="start_processing", at=NOW)
    assert set(OutboxMessage.objects.values_list("demo", flat=True)) == {True}


def test_loading_again_only_tops_up(catalogue):
    load_demo_dossiers(count=20, now=NOW)
    assert load_demo_dossiers(count=20, now=NOW) == 0
    assert load_demo_dossiers(count=25, now=NOW) == 5
    assert Dossier.objects.count() == 25


def test_without_a_catalogue_the_demo_explains_and_creates_nothing(db):
    out = io.StringIO()
    assert load_demo_dossiers(count=10, stdout=out, now=NOW) == 0
    assert "bỏ qua" in out.getvalue()


def test_demo_results_are_returned_in_office_hours(catalogue):
    from datetime import time

    from dossiers.codes import local_tz

    load_demo_dossiers(count=60, now=NOW)
    returned = DossierEvent.objects.filter(action="return_result")
    assert returned.exists()
    for event in returned:
        local = event.at.astimezone(local_tz()).time()
        assert time(8, 0) <= local <= time(17, 0), event.at
