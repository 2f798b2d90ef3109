"""The Decision 766 online counts in the statistics tables equal a direct count of dossiers.

The dashboards read digitisation and online payment from the roll-ups (selectors.online_counts)
instead of counting every dossier of the period per request; dossiers.figures.online_metrics
counts the dossiers directly and is the definition both recompute paths are held to.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
import time_machine

from dossiers.figures import online_metrics, online_rates
from dossiers.models import Dossier, DossierFile, Payment
from dossiers.workflow import Status
from indicators import selectors
from indicators.models import MonthlyStat
from indicators.periods import month_bounds, month_of, months_between
from indicators.services import stats_full_recompute, stats_refresh_dossier, stats_sweep_changes
from tests.factories import AgencyFactory, FieldFactory, ProcedureFactory

from .conftest import at, make_dossier
from .test_stats_randomised import FIRST, NOW, assert_rollups_equal_cell_sums, moment, tables

KINDS = [k for k, _ in DossierFile.Kind.choices]
STATES = [s for s, _ in Payment.State.choices]


def add_file(rng, d: Dossier) -> None:
    DossierFile.objects.create(
        dossier=d,
        # A result file mostly where there is a result (as file_attach allows it).
        kind=DossierFile.Kind.RESULT
        if d.result_ready_at and rng.random() < 0.6
        else rng.choice(KINDS),
        title="Giấy tờ",
        file=f"test/{d.pk}-{rng.random()}.pdf",
        original_name="a.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        uploaded_at=moment(rng, d.received_at),
    )


def add_payment(rng, d: Dossier) -> None:
    state = rng.choice(STATES)
    if state == Payment.State.PENDING and d.payments.filter(state=state).exists():
        state = Payment.State.CANCELLED  # one pending payment per dossier
    Payment.objects.create(
        dossier=d,
        reference=f"T{d.pk}-{rng.randint(0, 10**9)}",
        amount=50000,
        purpose="Lệ phí",
        state=state,
        created_at=moment(rng, d.received_at),
    )


def random_online_dossiers(rng, n):
    agencies = [AgencyFactory(), AgencyFactory(), AgencyFactory()]
    fields = [FieldFactory(), FieldFactory()]
    procs = [ProcedureFactory(field=fields[i % 2]) for i in range(4)]
    out = []
    for i in range(n):
        received = moment(rng)
        # Some never accepted (intake refused after a receipt time was set, e.g. imports):
        # the 766 figures count every dossier received in the period, whatever its status.
        status = rng.choice([Status.PROCESSING] * 5 + [Status.INTAKE_REFUSED])
        d = make_dossier(
            rng.choice(procs),
            rng.choice(agencies),
            status=status,
            received=received,
            due=received + timedelta(days=rng.randint(1, 40)),
            channel=rng.choice(["desk", "online"]),
        )
        if rng.random() < 0.9:
            d.code = f"H-{i:05d}"
            d.save()
        out.append(d)
    return out, agencies


def online_step(rng, d: Dossier) -> None:
    """One change that moves a 766 figure: a file, a payment, a result, a paid fee."""
    d.refresh_from_db()
    roll = rng.random()
    if roll < 0.35:
        add_file(rng, d)
    elif roll < 0.55:
        add_payment(rng, d)
    elif roll < 0.8 and d.result_ready_at is None:
        d.status, d.result_ready_at = Status.RESULT_READY, moment(rng, d.received_at)
        d.timeliness = rng.choice(["early", "on_time", "late"])
    elif d.fee_paid_at is None:
        d.fee_paid_at = moment(rng, d.received_at)
    d.save()


def assert_rollups_equal_direct_count(agencies):
    months = months_between(FIRST.date().replace(day=1), NOW.date().replace(day=1))
    periods = [(m, m) for m in months] + [(months[0], months[-1]), (months[2], months[7])]
    for first, last in periods:
        # online_metrics takes Hanoi dates, inclusive: the last day of the last month.
        last_day = (month_bounds(last)[1] - timedelta(hours=12)).date()
        for scope in [None, [agencies[0].pk], [a.pk for a in agencies[1:]], []]:
            direct = online_metrics(first=first, last=last_day, agency_ids=scope)
            rolled = online_rates(selectors.online_counts(first=first, last=last, agency_ids=scope))
            assert rolled == direct, (first, last, scope)


@pytest.mark.parametrize("seed", [11, 12])
def test_online_counts_in_the_rollups_equal_a_direct_count_of_dossiers(db, seed):
    rng = random.Random(seed)
    with time_machine.travel(NOW, tick=False):
        dossiers, agencies = random_online_dossiers(rng, 40)
        for _ in range(100):
            online_step(rng, rng.choice(dossiers))
        stats_full_recompute(first=FIRST.date().replace(day=1), last=NOW.date().replace(day=1))
        for name in ("intake_digitised", "result_digitised", "fee_paid_online"):
            assert MonthlyStat.objects.filter(**{f"{name}__gt": 0}).exists(), name
        assert_rollups_equal_cell_sums()
        assert_rollups_equal_direct_count(agencies)
        # Later changes, each refreshed incrementally, keep the roll-ups equal to the count.
        for _ in range(40):
            d = rng.choice(dossiers)
            online_step(rng, d)
            stats_refresh_dossier(dossier_id=d.id)
        assert_rollups_equal_direct_count(agencies)
        incremental = tables()
        stats_full_recompute(first=FIRST.date().replace(day=1), last=NOW.date().replace(day=1))
        assert tables() == incremental


def test_a_file_attached_without_a_kick_is_caught_by_the_sweep(db):
    rng = random.Random(5)
    with time_machine.travel(NOW, tick=False):
        dossiers, agencies = random_online_dossiers(rng, 10)
        d = next(x for x in dossiers if x.code and x.status == Status.PROCESSING)
        # The sweep re-reads the latest changes (an overlap): d's change is older than that.
        Dossier.objects.update(updated_at=NOW - timedelta(days=1))
        Dossier.objects.filter(pk=d.pk).update(updated_at=NOW - timedelta(days=2))
        stats_full_recompute(first=FIRST.date().replace(day=1), last=NOW.date().replace(day=1))
        stats_sweep_changes()  # sets the watermark
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        # A desk scan touches no dossier column: only the file watermark finds it.
        DossierFile.objects.create(
            dossier=d,
            kind=DossierFile.Kind.SCAN,
            title="Bản số hóa",
            file="test/scan.pdf",
            original_name="scan.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            uploaded_at=at(2026, 11, 20, 11),
        )
        month = month_of(d.received_at)
        before = selectors.online_counts(first=month, last=month, agency_ids=[d.agency_id])
        assert stats_sweep_changes() >= 1
        after = selectors.online_counts(first=month, last=month, agency_ids=[d.agency_id])
        assert after["intake_digitised"] == before["intake_digitised"] + 1
        assert_rollups_equal_direct_count(agencies)


def test_a_file_after_the_month_closed_moves_the_online_figure_but_restates_nothing(
    db, procedure, agency_a
):
    from indicators import closing
    from indicators.models import Restatement

    with time_machine.travel(at(2026, 10, 2), tick=False):
        d = make_dossier(procedure, agency_a, received=at(2026, 10, 1), due=at(2026, 10, 20))
        d.code = "H-OCT-1"
        d.save()
    oct_ = d.received_at.date().replace(day=1)
    with time_machine.travel(at(2026, 11, 10), tick=False):
        stats_full_recompute(year=2026)
        closing.month_close(month=oct_)
        before = selectors.online_counts(first=oct_, last=oct_)
        assert (before["intake_total"], before["intake_digitised"]) == (1, 0)
        add_file(random.Random(1), d)
        DossierFile.objects.filter(dossier=d).update(kind=DossierFile.Kind.SCAN)
        stats_refresh_dossier(dossier_id=d.id)
        # The 766 figures follow the dossiers received in the month (not a published figure).
        assert selectors.online_counts(first=oct_, last=oct_)["intake_digitised"] == 1
        assert not Restatement.objects.exists()
