"""The lifecycle's after-commit kick reaches the statistics (eager Celery, as on SQLite)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from dossiers.dispatch import after_commit
from indicators.models import MonthlyStat
from indicators.tasks import recompute_recent_months, refresh_dossier_stats, sweep_changes

from .conftest import at, make_dossier


@pytest.fixture(autouse=True)
def eager(settings):
    from hanoi_cchc.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


def test_after_commit_kick_refreshes_the_dossiers_cells(
    procedure, agency_a, django_capture_on_commit_callbacks
):
    with time_machine.travel(at(2026, 11, 20), tick=False):
        d = make_dossier(procedure, agency_a, received=at(2026, 11, 3), due=at(2026, 11, 10))
        with django_capture_on_commit_callbacks(execute=True):
            after_commit(d.id)
        row = MonthlyStat.objects.get(month=date(2026, 11, 1))
    assert (row.received, row.open_overdue) == (1, 1)


def test_periodic_tasks_run_and_are_harmless_twice(procedure, agency_a):
    with time_machine.travel(at(2026, 11, 20), tick=False):
        make_dossier(procedure, agency_a, received=at(2026, 10, 3), due=at(2026, 10, 10))
        for _ in range(2):
            recompute_recent_months.delay()
            sweep_changes.delay()
        assert MonthlyStat.objects.filter(open_overdue=1).count() == 2  # October and November


def test_refresh_of_a_missing_dossier_does_nothing(db):
    refresh_dossier_stats.delay(987654)
    assert not MonthlyStat.objects.exists()
