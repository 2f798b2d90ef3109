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
