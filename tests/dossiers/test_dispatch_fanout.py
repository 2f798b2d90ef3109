"""One publish per dossier change (issue 10): the worker fans out to the three tasks."""

from __future__ import annotations

import pytest
from celery.app.task import Task

from dossiers import dispatch
from dossiers.tasks import after_change

SUB_TASKS = [
    "dossiers.deliver_outbox",
    "indicators.refresh_dossier_stats",
    "dossiers.notify_deliver",
]


@pytest.fixture
def published(monkeypatch):
    """Record the tasks published (name, args) instead of sending them; `fail` names refuse."""
    sent: list[tuple[str, tuple]] = []
    fail: set[str] = set()

    def apply_async(self, args=None, kwargs=None, **options):
        if self.name in fail:
            raise ConnectionError("broker down")
        sent.append((self.name, tuple(args or ())))

    monkeypatch.setattr(Task, "apply_async", apply_async)
    return sent, fail


def test_a_kick_publishes_one_message(published):
    sent, _ = published
    dispatch._kick(42)
    assert sent == [("dossiers.after_change", (42,))]


def test_the_fan_out_queues_the_three_tasks_under_their_own_names(published):
    sent, _ = published
    assert after_change(42) == 3
    assert sent == [(name, (42,)) for name in SUB_TASKS]


def test_a_sub_task_that_cannot_be_queued_does_not_stop_the_others(published):
    sent, fail = published
    fail.add("indicators.refresh_dossier_stats")
    assert after_change(7) == 2
    assert [name for name, _ in sent] == ["dossiers.deliver_outbox", "dossiers.notify_deliver"]


def test_a_kick_with_the_broker_down_is_logged_not_raised(published, caplog):
    sent, fail = published
    fail.add("dossiers.after_change")
    dispatch._kick(42)  # no exception: the sweeps deliver what was not kicked
    assert sent == []
    assert "could not enqueue the kick of dossier 42" in caplog.text
