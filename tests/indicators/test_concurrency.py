"""Concurrent refreshes of the same cells on PostgreSQL: no unique-constraint errors."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from indicators.models import MonthlyStat
from indicators.services import stats_full_recompute, stats_refresh_dossier

from .conftest import at, make_dossier


@pytest.mark.django_db(transaction=True)
def test_parallel_refreshes_of_one_agency_agree_with_a_full_recompute(procedure, agency_a):
    if connection.vendor != "postgresql":
        pytest.skip("row and advisory locks are a PostgreSQL matter")
    dossiers = [
        make_dossier(procedure, agency_a, received=at(2026, 9, d), due=at(2026, 9, d + 5))
        for d in range(1, 9)
    ]
    errors = []

    def refresh(dossier_id):
        try:
            stats_refresh_dossier(dossier_id=dossier_id)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=refresh, args=(d.id,)) for d in dossiers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    incremental = sorted(MonthlyStat.objects.values_list("month", "received", "open_overdue"))
    stats_full_recompute(first=at(2026, 1, 1).date(), last=at(2026, 12, 1).date())
    full = sorted(MonthlyStat.objects.values_list("month", "received", "open_overdue"))
    assert incremental == full and incremental[0][1] == 8
