"""Random dossier histories: the incremental refresh (and the sweep) equal a full recompute."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Sum

from dossiers.models import Dossier, Rating, Transfer
from dossiers.workflow import OPEN_STATUSES, Status
from indicators import rollups
from indicators.models import CityMonthStat, MonthlyStat, TransferMonthlyStat
from indicators.services import (
    stats_full_recompute,
    stats_refresh_dossier,
    stats_sweep_changes,
)
from tests.factories import AgencyFactory, FieldFactory, ProcedureFactory

from .conftest import at, make_dossier

NOW = at(2026, 11, 20, 10)
FIRST = at(2025, 9, 1)
SPAN = (NOW - FIRST).total_seconds()


def moment(rng, after=None):
    lo = after or FIRST
    return lo + timedelta(seconds=rng.random() * (NOW - lo).total_seconds())


def tables():
    stats = {
        (r.pop("agency_id"), r.pop("field_id"), r.pop("procedure_id"), r.pop("month")): r
        for r in MonthlyStat.objects.values(
            "agency_id", "field_id", "procedure_id", "month", *MonthlyStat.ALL_COUNTS
        )
    }
    transfers = set(
        TransferMonthlyStat.objects.values_list("agency_id", "month", "early", "on_time", "late")
    )
    return stats, transfers


def assert_rollups_equal_cell_sums():
    """Every live roll-up row equals the sum of its finest cells, and no row is missing."""
    counts = MonthlyStat.ALL_COUNTS
    for model, key in rollups.KEYED + ((CityMonthStat, None),):
        keys = [key] if key else []
        cells = {
            tuple(r[k] for k in (*keys, "month")): {c: r[c] for c in counts}
            for r in MonthlyStat.objects.values(*keys, "month")
            .annotate(**{c: Sum(c) for c in counts})
            .order_by()
        }
        rolled = {
            tuple(r[k] for k in (*keys, "month")): {c: r[c] for c in counts}
            for r in model.objects.filter(published=False).values(*keys, "month", *counts)
        }
        assert rolled == cells, model.__name__


def full():
    stats_full_recompute(first=date(2025, 1, 1), last=date(2026, 12, 1))
    return tables()


def random_dossiers(rng, n):
    agencies = [AgencyFactory(), AgencyFactory()]
    fields = [FieldFactory(), FieldFactory()]
    procs = [ProcedureFactory(field=fields[i % 2]) for i in range(3)]
    out = []
    for _ in range(n):
        received = moment(rng) if rng.random() < 0.85 else None
        d = make_dossier(
            rng.choice(procs),
            rng.choice(agencies),
            status=Status.PROCESSING if received else Status.SUBMITTED,
            received=received,
            due=(received + timedelta(days=rng.randint(1, 40))) if received else None,
            channel=rng.choice(["desk", "post", "online", "dvcqg"]),
        )
        if not received:
            d.submitted_at = moment(rng)
            d.save()
        out.append(d)
    return out, agencies


def change(rng, d: Dossier, agencies) -> None:
    """Apply one plausible lifecycle step to a dossier, straight in the columns."""
    d.refresh_from_db()
    if d.received_at is None:
        d.status, d.received_at = Status.RECEIVED, moment(rng)
        d.due_at = d.received_at + timedelta(days=rng.randint(1, 40))
    elif d.status in OPEN_STATUSES:
        roll = rng.random()
        if roll < 0.45:
            d.status, d.result_ready_at = Status.RESULT_READY, moment(rng, d.received_at)
            d.timeliness = rng.choice(["early", "on_time", "late"])
        elif roll < 0.55:
            d.status, d.closed_at = Status.REFUSED, moment(rng, d.received_at)
        elif roll < 0.65:
            d.status, d.closed_at = Status.WITHDRAWN, moment(rng, d.received_at)
        elif roll < 0.8:
            d.due_at = moment(rng, d.received_at) + timedelta(days=rng.randint(0, 20))
            d.extended = True
        else:
            sent = moment(rng, d.received_at)
            Transfer.objects.create(
                dossier=d,
                from_agency=d.agency,
                to_agency=rng.choice(agencies),
                sent_at=sent,
                limit_value=Decimal(3),
                limit_unit="working_days",
                due_at=sent,
                returned_at=moment(rng, sent),
                timeliness=rng.choice(["early", "on_time", "late"]),
            )
            d.status = Status.TRANSFERRED
    elif d.status == Status.RESULT_READY:
        d.status, d.closed_at = Status.RETURNED, moment(rng, d.result_ready_at)
        if rng.random() < 0.7 and not Rating.objects.filter(dossier=d).exists():
            level = rng.randint(1, 5)
            Rating.objects.create(
                dossier=d,
                created_at=moment(rng, d.closed_at),
                time=level,
                contacts=level,
                information=level,
                attitude=level,
                result=level,
                overall=level,
            )
    else:
        d.sync_state = Dossier.SyncState.SYNCED
    d.save()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_refresh_equals_full_recompute(db, seed):
    rng = random.Random(seed)
    with time_machine.travel(NOW, tick=False):
        dossiers, agencies = random_dossiers(rng, 40)
        full()
        for _ in range(80):
            d = rng.choice(dossiers)
            change(rng, d, agencies)
            stats_refresh_dossier(dossier_id=d.id)
        incremental = tables()
        assert incremental[0], "the histories produced no statistics at all"
        assert_rollups_equal_cell_sums()
        assert incremental == full()
        assert_rollups_equal_cell_sums()


def test_sweep_catches_changes_whose_kick_was_lost(db):
    rng = random.Random(7)
    with time_machine.travel(NOW, tick=False):
        dossiers, agencies = random_dossiers(rng, 30)
        full()
        stats_sweep_changes()  # sets the watermark
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        # Nothing is refreshed after these changes: their kicks were "lost".
        for _ in range(60):
            change(rng, rng.choice(dossiers), agencies)
        before = tables()
        assert stats_sweep_changes() > 0
        swept = tables()
        assert swept != before
        assert swept == full()
