"""A dropped PostgreSQL connection: reads outside a transaction and the first statement of
a transaction are replayed on a new connection; writes that may have committed and the
middle of a transaction are not (hanoi_cchc/dbretry.py)."""

from __future__ import annotations

import psycopg2
import pytest
from django.db import OperationalError, connection, transaction

from hanoi_cchc.models import Heartbeat

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]


def _terminate_ours() -> None:
    """From a second connection, as a restart or pooler would: kill our backend."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    s = connection.settings_dict
    other = psycopg2.connect(
        dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"],
        host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432,
    )  # fmt: skip
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


def test_a_read_after_the_connection_was_dropped_is_answered():
    Heartbeat.objects.create(name="a", at="2026-01-01T00:00:00Z")
    _terminate_ours()
    assert Heartbeat.objects.filter(name="a").count() == 1


def test_a_write_outside_a_transaction_is_not_replayed():
    Heartbeat.objects.create(name="a", at="2026-01-01T00:00:00Z")
    _terminate_ours()
    with pytest.raises(OperationalError):
        Heartbeat.objects.filter(name="a").update(detail={"x": 1})
    connection.close()


def test_the_first_statement_of_a_transaction_is_replayed():
    _terminate_ours()
    with transaction.atomic():
        Heartbeat.objects.create(name="b", at="2026-01-01T00:00:00Z")
        Heartbeat.objects.create(name="c", at="2026-01-01T00:00:00Z")
    assert sorted(Heartbeat.objects.values_list("name", flat=True)) == ["b", "c"]


def test_the_middle_of_a_transaction_is_not_replayed():
    with pytest.raises(OperationalError), transaction.atomic():
        Heartbeat.objects.create(name="d", at="2026-01-01T00:00:00Z")
        _terminate_ours()
        Heartbeat.objects.create(name="e", at="2026-01-01T00:00:00Z")
    connection.close()
    assert not Heartbeat.objects.exists()


def test_a_transaction_lost_in_its_middle_is_run_again_whole_by_its_owner():
    """The connection dies after the transaction's first statements (a restart, a pooler):
    the owner of the whole transaction runs it again from the start, once."""
    from hanoi_cchc.dbretry import TransactionLost, replayable

    runs = []

    @replayable
    def work():
        runs.append(1)
        with transaction.atomic():
            Heartbeat.objects.create(name=f"f{len(runs)}", at="2026-01-01T00:00:00Z")
            if len(runs) == 1:
                _terminate_ours()
            Heartbeat.objects.create(name=f"g{len(runs)}", at="2026-01-01T00:00:00Z")

    work()
    assert len(runs) == 2
    # Nothing of the lost run was applied; the second run is whole.
    assert sorted(Heartbeat.objects.values_list("name", flat=True)) == ["f2", "g2"]

    # Inside an outer transaction the inner function does not replay: the outer owner does.
    runs.clear()
    with pytest.raises(TransactionLost), transaction.atomic():
        Heartbeat.objects.create(name="h", at="2026-01-01T00:00:00Z")
        work()
    connection.close()
    assert runs == [1]
    assert sorted(Heartbeat.objects.values_list("name", flat=True)) == ["f2", "g2"]


def test_every_write_service_and_the_idempotent_api_own_their_replay():
    """The class: every public dossier service that opens a transaction, and the API's
    idempotent requests, are run again whole when their connection is lost mid-way."""
    import inspect

    from dossiers import services
    from hanoi_cchc import idempotency
    from hanoi_cchc.dbretry import replayable

    public = [
        f
        for name, f in inspect.getmembers(services, inspect.isfunction)
        if name.startswith("dossier_") and f.__module__ == services.__name__
    ]
    assert len(public) >= 6
    replaying = replayable(lambda: None).__code__
    for f in [*public, idempotency._once]:
        assert f.__code__ is replaying, f.__name__


def test_an_intake_whose_connection_dies_mid_transaction_is_received_once(agency_a, desk_a):
    from dossiers import services
    from dossiers.models import Dossier, DossierEvent
    from tests.factories import ProcedureFactory

    procedure = ProcedureFactory(agencies=[agency_a])
    killed = []

    def kill_once(execute, sql, params, many, context):
        # After the dossier row is written, before the history: mid-transaction.
        result = execute(sql, params, many, context)
        if not killed and sql.lstrip().upper().startswith('INSERT INTO "DOSSIERS_DOSSIER" '):
            killed.append(sql)
            _terminate_ours()
        return result

    with connection.execute_wrapper(kill_once):
        dossier = services.dossier_intake(
            actor=desk_a,
            outcome="receive",
            procedure=procedure,
            agency=agency_a,
            channel="desk",
            applicant={
                "name": "Nguyễn Văn Thử",
                "phone": "0912345678",
                "id_number": "001090001234",
            },
            documents=[],
        )
    assert killed
    assert Dossier.objects.count() == 1
    assert DossierEvent.objects.filter(dossier=dossier).exists()
