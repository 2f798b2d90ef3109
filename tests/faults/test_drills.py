"""Fault drills: Redis killed under load, the worker killed mid-delivery, DVCQG down for a
long while (time compressed), PostgreSQL connections dropped. Each drill sends real HTTP
requests to gunicorn (API intake with a token, the citizen lookup, the token endpoint) and
asserts: 0 responses >= 500, 0 lost (every 201 is a dossier and every outbox row reaches
DVCQG, in order per dossier, accepted once), and recovery with nobody's help within the
bound it states. The figures go to var/fault-drills.jsonl.
"""

from __future__ import annotations

import json
import time

import pytest
from django.db import connection

from dossiers.models import Dossier, OutboxMessage
from tests.factories import ProcedureFactory

from .stack import Load, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PASSWORD = "mat-khau-thu-nghiem"  # tests/factories.UserFactory
# How long delivery may take to catch up after the fault ends, with nobody acting.
RECOVERY_BOUND_SECONDS = 45


@pytest.fixture
def scene(stack, fresh_dvcqg, desk_a, agency_a):
    """A desk official with an API token (through the stack) and a procedure to file."""
    procedure = ProcedureFactory(agencies=[agency_a])
    status, raw = stack.request(
        "POST", "/api/v1/auth/token/", {"username": desk_a.username, "password": PASSWORD}
    )
    assert status == 200, raw
    body = {"procedure": procedure.pk, "agency": agency_a.pk, "channel": "desk",
            "applicant": {"name": "Nguyễn Văn Thử", "phone": "0912345678",
                          "id_number": "001090001234"},
            "documents": []}  # fmt: skip

    def load(**kw) -> Load:
        return Load(stack, token=json.loads(raw)["token"], intake_body=body,
                    username=desk_a.username, password=PASSWORD, **kw)  # fmt: skip

    return load


def _undelivered() -> int:
    return OutboxMessage.objects.filter(delivered_at__isnull=True).count()


def _recover(started: float) -> float:
    """Seconds until every outbox row is delivered, counted from `started`; fails past the
    bound."""
    drained = wait_for(lambda: _undelivered() == 0, RECOVERY_BOUND_SECONDS, 0.25)
    took = time.monotonic() - started
    assert drained, f"{_undelivered()} rows still undelivered {took:.0f}s after the fault"
    return took


def _assert_nothing_lost_or_doubled(load: Load, dvcqg) -> dict:
    """Every 201 is a dossier; DVCQG holds each dossier's rows once, in our order."""
    assert sorted(load.created) == sorted(Dossier.objects.values_list("id", flat=True))
    time.sleep(1)  # a duplicate kick still running would show now
    keys = dvcqg.keys()
    assert len(keys) == len(set(keys))
    rows = OutboxMessage.objects.order_by("id").values_list("dossier_id", "id")
    ours: dict[int, list[int]] = {}
    for dossier_id, message_id in rows:
        ours.setdefault(dossier_id, []).append(message_id)
    for dossier_id, ids in ours.items():
        assert dvcqg.message_ids(dossier_id) == ids, f"dossier {dossier_id}"
    return {"dossiers": len(load.created), "outbox_rows": len(rows), "rows_lost": 0,
            "accepted_twice": 0, "resent_and_deduplicated": dvcqg.duplicates}  # fmt: skip


def _assert_no_server_error(load: Load):
    assert load.server_errors == 0, load.summary()
    assert load.errors == [], load.errors[:5]
    assert load.statuses[("intake", 201)] > 0, load.summary()


def test_redis_killed_during_intake_lookups_and_token_requests(stack, scene, fresh_dvcqg, figures):
    # Slow DVCQG answers keep deliveries in flight (unacknowledged) when Redis dies: the
    # case that crashed the worker in kombu's restore_unacked.
    fresh_dvcqg.delay = 0.5
    worker = stack.worker_pid()
    outages = []
    with scene() as load:
        time.sleep(2)
        for down in (4, 6, 3):
            stack.redis.kill()
            killed = time.monotonic()
            time.sleep(down)
            stack.redis.start()
            outages.append(round(time.monotonic() - killed, 1))
            time.sleep(2)
        back = time.monotonic()
    # The slow answers were there to keep deliveries in flight during the outages; the
    # backlog then drains at DVCQG's normal speed (as in the worker drill).
    fresh_dvcqg.delay = 0.0
    recovery = _recover(back)
    _assert_no_server_error(load)
    figures_ = _assert_nothing_lost_or_doubled(load, fresh_dvcqg)
    # The worker rode out every outage itself: the supervisor never had to restart it.
    assert stack.worker_pid() == worker, stack.log("worker")
    figures(**load.summary(), **figures_, redis_outages_s=outages,
            worker_restarts=0, recovery_s=round(recovery, 1))  # fmt: skip


def test_worker_killed_mid_delivery_is_restarted_and_nothing_is_lost(
    stack, scene, fresh_dvcqg, figures
):
    fresh_dvcqg.delay = 1.0  # every POST takes a second: deliveries are in flight
    before = stack.worker_pid()
    with scene(token_threads=0) as load:
        assert wait_for(lambda: fresh_dvcqg.received > len(fresh_dvcqg.accepted), 30)
        stack.kill_worker()
        killed = time.monotonic()
        assert wait_for(lambda: stack.worker_pid() not in (None, before), 20), "no restart"
        restarted = time.monotonic() - killed
        time.sleep(3)
    fresh_dvcqg.delay = 0.0
    recovery = _recover(killed)
    _assert_no_server_error(load)
    figures_ = _assert_nothing_lost_or_doubled(load, fresh_dvcqg)
    figures(**load.summary(), **figures_, worker_restarted_after_s=round(restarted, 1),
            recovery_s=round(recovery, 1))  # fmt: skip


def test_dvcqg_down_for_a_long_while_then_everything_arrives_once_in_order(
    stack, scene, fresh_dvcqg, figures
):
    # 20 s with the back-off capped at 2 s stands for 10 minutes with a 1-minute cap:
    # about the same number of failed attempts per row.
    with scene(token_threads=0) as load:
        time.sleep(1)
        fresh_dvcqg.fail = True
        time.sleep(20)
        pending = _undelivered()
        fresh_dvcqg.fail = False
        back = time.monotonic()
        time.sleep(2)
    recovery = _recover(back)
    assert pending > 0 and fresh_dvcqg.refused > 0
    _assert_no_server_error(load)
    figures_ = _assert_nothing_lost_or_doubled(load, fresh_dvcqg)
    figures(**load.summary(), **figures_, pending_at_end_of_outage=pending,
            attempts_refused=fresh_dvcqg.refused, recovery_s=round(recovery, 1))  # fmt: skip


def _drop_app_connections() -> int:
    """pg_terminate_backend of the idle connections the app's processes hold on the test
    database (gunicorn, worker), also between two queries of one request: what a
    database restart or a pooler's recycling does to them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend' AND state = 'idle' "
            # Established connections, as a restart or a pooler finds them; one killed
            # while it is being opened fails to connect, which no replay can help.
            "AND backend_start < now() - interval '1 second'"
        )
        return cursor.fetchone()[0]


def test_postgres_connections_dropped_under_load(stack, scene, fresh_dvcqg, figures):
    dropped = []
    with scene() as load:
        time.sleep(2)
        for _ in range(5):
            dropped.append(_drop_app_connections())
            time.sleep(2)
        back = time.monotonic()
    recovery = _recover(back)
    assert sum(dropped) > 0
    _assert_no_server_error(load)
    figures_ = _assert_nothing_lost_or_doubled(load, fresh_dvcqg)
    assert stack.worker_pid() is not None
    figures(**load.summary(), **figures_, connections_terminated=dropped,
            recovery_s=round(recovery, 1))  # fmt: skip
