"""Many officials receiving at the same moment get unique, gapless codes (PostgreSQL only).

Each thread has its own database connection (Django opens one per thread), so these are
real concurrent transactions contending for the same DossierSequence row.
"""

import threading

import pytest
from django.db import connection, transaction

from dossiers import services
from dossiers.models import Dossier, DossierSequence, OutboxMessage
from tests.factories import AgencyFactory, MembershipFactory, ProcedureFactory, UserFactory

from .lifecycle_fixtures import APPLICANT, DOCUMENTS, hanoi

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises"
    ),
    pytest.mark.django_db(transaction=True),
]

THREADS = 24


def _run_concurrently(jobs):
    """Start all jobs at the same instant; return the exceptions they raised."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def runner(job):
        try:
            barrier.wait(timeout=30)
            job()
        except Exception as exc:  # collected and asserted by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.fixture(autouse=True)
def _no_kick(monkeypatch):
    # Delivery and statistics run after commit (eagerly without a broker); they are tested
    # by their owners. Here only the intake transaction itself is under test.
    monkeypatch.setattr("dossiers.dispatch._kick", lambda dossier_id: None)


@pytest.fixture
def desk():
    agencies = [
        AgencyFactory(identifier_code="000.11.11.H26"),
        AgencyFactory(identifier_code="000.22.22.H26"),
    ]
    procedure = ProcedureFactory(agencies=agencies)
    officials = [
        MembershipFactory(
            user=UserFactory(username=f"motcua_{i}", password=None), agency=agencies[i % 2]
        ).user
        for i in range(THREADS)
    ]
    return agencies, procedure, officials


def _intake(official, agency, procedure, at):
    return lambda: services.dossier_receive(
        actor=official,
        procedure=procedure,
        agency=agency,
        channel="desk",
        applicant=APPLICANT,
        documents=DOCUMENTS,
        received_at=at,
    )


def test_concurrent_intakes_get_unique_gapless_codes_per_agency(desk):
    agencies, procedure, officials = desk
    at = hanoi(2021, 3, 1, 9, 0)
    errors = _run_concurrently(
        [_intake(o, agencies[i % 2], procedure, at) for i, o in enumerate(officials)]
    )
    assert errors == []
    for agency in agencies:
        codes = list(Dossier.objects.filter(agency=agency).values_list("code", flat=True))
        expected = {f"{agency.identifier_code}-210301-{n:04d}" for n in range(1, THREADS // 2 + 1)}
        assert len(codes) == len(set(codes)) == THREADS // 2
        assert set(codes) == expected
        assert DossierSequence.objects.get(agency=agency).last == THREADS // 2
    assert OutboxMessage.objects.count() == THREADS


def test_concurrent_intakes_that_roll_back_leave_no_gap(desk):
    agencies, procedure, officials = desk
    agency = agencies[0]
    for official in officials[1::2]:
        MembershipFactory(user=official, agency=agency)
    at = hanoi(2021, 3, 2, 9, 0)

    def failing(official):
        def job():
            with transaction.atomic():
                _intake(official, agency, procedure, at)()
                raise RuntimeError("printer jammed: the official cancels")

        return job

    jobs = [
        failing(o) if i % 3 == 0 else _intake(o, agency, procedure, at)
        for i, o in enumerate(officials)
    ]
    errors = _run_concurrently(jobs)
    failed = sum(1 for i in range(THREADS) if i % 3 == 0)
    assert len(errors) == failed
    assert all(isinstance(e, RuntimeError) for e in errors)
    numbers = sorted(Dossier.objects.filter(agency=agency).values_list("sequence", flat=True))
    assert numbers == list(range(1, THREADS - failed + 1))
    assert DossierSequence.objects.get(agency=agency).last == THREADS - failed
