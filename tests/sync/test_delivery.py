"""Delivery of the outbox to DVCQG: order, retries with backoff, dedup, sync state."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from dossiers import sync
from dossiers.models import Dossier, OutboxMessage
from dossiers.tasks import sweep_outbox

from .conftest import add_message

SyncState = Dossier.SyncState


def _ids(dossier):
    return list(dossier.outbox.order_by("id").values_list("id", flat=True))


def test_pending_rows_are_delivered_in_order_with_the_dedup_key(fake_dvcqg, make_dossier):
    dossier = make_dossier(messages=3)

    result = sync.deliver_pending(dossier_id=dossier.pk)

    assert result.delivered == 3
    assert fake_dvcqg.message_ids(dossier.pk) == _ids(dossier)
    assert set(fake_dvcqg.keys()) == set(dossier.outbox.values_list("dedup_key", flat=True))
    dossier.refresh_from_db()
    assert dossier.sync_state == SyncState.SYNCED
    assert dossier.synced_at is not None
    assert not dossier.outbox.filter(delivered_at__isnull=True).exists()


def test_a_failure_stops_the_dossier_and_backs_off(fake_dvcqg, make_dossier):
    dossier = make_dossier(messages=2)
    fake_dvcqg.fail = True

    result = sync.deliver_pending(dossier_id=dossier.pk)

    assert result.delivered == 0 and result.pending == 2
    assert 0.9 <= result.retry_in <= 1.1  # base 1 s on the first attempt
    first, second = dossier.outbox.order_by("id")
    assert first.attempts == 1 and "500" in first.last_error
    assert first.next_attempt_at > timezone.now()
    assert second.attempts == 0  # never tried before the first one
    dossier.refresh_from_db()
    assert dossier.sync_state == SyncState.FAILED

    # While backing off, another run does not hammer DVCQG.
    fake_dvcqg.fail = False
    assert sync.deliver_pending(dossier_id=dossier.pk).delivered == 0
    assert fake_dvcqg.accepted == []

    # When the backoff has passed, both go, in order.
    later = timezone.now() + timedelta(seconds=5)
    assert sync.deliver_pending(dossier_id=dossier.pk, now=later).delivered == 2
    assert fake_dvcqg.message_ids(dossier.pk) == _ids(dossier)
    dossier.refresh_from_db()
    assert dossier.sync_state == SyncState.SYNCED


def test_backoff_grows_exponentially_up_to_the_cap(settings):
    settings.DVCQG_RETRY_BASE_SECONDS = 30
    settings.DVCQG_RETRY_MAX_SECONDS = 3600
    delays = [sync.backoff_seconds(n) for n in (1, 2, 3, 4, 10)]
    assert 27 <= delays[0] <= 33
    assert 54 <= delays[1] <= 66
    assert 108 <= delays[2] <= 132
    assert 216 <= delays[3] <= 264
    assert 3240 <= delays[4] <= 3960


def test_a_slow_dvcqg_times_out_and_counts_as_a_failure(fake_dvcqg, make_dossier, settings):
    settings.DVCQG_TIMEOUT = 0.3
    fake_dvcqg.delay = 1.0
    dossier = make_dossier(messages=1)

    result = sync.deliver_pending(dossier_id=dossier.pk)

    assert result.delivered == 0
    assert "timed out" in dossier.outbox.get().last_error.lower()


def test_redelivery_of_an_acknowledged_message_is_deduplicated_by_dvcqg(fake_dvcqg, make_dossier):
    dossier = make_dossier(messages=1)
    sync.deliver_pending(dossier_id=dossier.pk)
    # Our side lost the acknowledgement (e.g. a crash after the POST): we send again.
    OutboxMessage.objects.update(delivered_at=None)
    sync.deliver_pending(dossier_id=dossier.pk)
    assert len(fake_dvcqg.accepted) == 1
    assert fake_dvcqg.duplicates == 1


def test_an_unconfigured_endpoint_delivers_nothing_and_keeps_the_rows(settings, make_dossier):
    settings.DVCQG_ENDPOINT = ""
    dossier = make_dossier(messages=2)
    result = sync.deliver_pending(dossier_id=dossier.pk)
    assert result.delivered == 0 and result.pending == 2
    assert dossier.outbox.filter(attempts=0).count() == 2


def test_the_sweep_kicks_only_dossiers_whose_rows_are_due(fake_dvcqg, make_dossier, celery_eager):
    ready = make_dossier(messages=2)
    waiting = make_dossier(messages=1)
    waiting.outbox.update(next_attempt_at=timezone.now() + timedelta(hours=1), attempts=3)

    summary = sweep_outbox()

    assert summary["due"] == 1 and summary["kicked"] == 1
    assert fake_dvcqg.message_ids(ready.pk) == _ids(ready)
    assert fake_dvcqg.message_ids(waiting.pk) == []


def test_reconcile_resends_what_dvcqg_lost_from_the_first_gap_on(fake_dvcqg, make_dossier):
    dossier = make_dossier(messages=3)
    sync.deliver_pending(dossier_id=dossier.pk)
    first, second, third = dossier.outbox.order_by("id")
    fake_dvcqg.forget(second.dedup_key)
    out = io.StringIO()

    call_command("reconcile_dvcqg", "--remote", "--inline", stdout=out)

    assert fake_dvcqg.keys() == [first.dedup_key, third.dedup_key, second.dedup_key]
    assert fake_dvcqg.duplicates == 1  # the third was re-sent to keep the order, deduped
    assert "1/1 hồ sơ" in out.getvalue()
    assert "1 thông điệp DVCQG chưa có" in out.getvalue()
    assert not dossier.outbox.filter(delivered_at__isnull=True).exists()


def test_reconcile_clears_backoff_and_requeues_pending_dossiers(fake_dvcqg, make_dossier):
    dossier = make_dossier(messages=1)
    add_message(dossier)
    dossier.outbox.update(next_attempt_at=timezone.now() + timedelta(hours=1), attempts=5)
    out = io.StringIO()

    call_command("reconcile_dvcqg", "--inline", stdout=out)

    assert fake_dvcqg.message_ids(dossier.pk) == _ids(dossier)
    assert "1 hồ sơ đưa lại hàng đợi" in out.getvalue()


def test_reconcile_dry_run_changes_nothing(fake_dvcqg, make_dossier):
    dossier = make_dossier(messages=1)
    call_command("reconcile_dvcqg", "--dry-run", stdout=io.StringIO())
    assert dossier.outbox.get().delivered_at is None
    assert fake_dvcqg.accepted == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the per-dossier lock is PostgreSQL's"
)
def test_two_deliverers_of_one_dossier_never_send_twice_or_out_of_order(fake_dvcqg, make_dossier):
    import threading

    dossier = make_dossier(messages=6)
    fake_dvcqg.delay = 0.05
    barrier = threading.Barrier(2)
    errors = []

    def run():
        barrier.wait()
        try:
            sync.deliver_pending(dossier_id=dossier.pk)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert fake_dvcqg.message_ids(dossier.pk) == _ids(dossier)
    assert fake_dvcqg.duplicates == 0
    assert errors == []


def test_becoming_synced_is_seen_by_the_statistics_sweep(fake_dvcqg, make_dossier):
    # The indicators sweep finds changed dossiers by updated_at; "synced to DVCQG" is a
    # counted figure, so a delivery long after the last change must still move it.
    dossier = make_dossier(messages=1)
    long_ago = timezone.now() - timedelta(hours=2)
    Dossier.objects.filter(pk=dossier.pk).update(updated_at=long_ago)

    sync.deliver_pending(dossier_id=dossier.pk)

    dossier.refresh_from_db()
    assert dossier.sync_state == SyncState.SYNCED
    assert dossier.updated_at > long_ago + timedelta(hours=1)
