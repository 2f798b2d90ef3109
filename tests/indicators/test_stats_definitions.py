"""Statistics of a hand-made set of dossiers, one per status and timeliness."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from dossiers.models import Rating
from dossiers.workflow import Status
from indicators.models import MonthlyStat
from indicators.services import stats_full_recompute, stats_refresh_dossier

from .conftest import at, make_dossier

_at = at

NOW = at(2026, 11, 20, 10)


def build_fixture(procedure, agency, year=2026):
    """Dossiers around October and November of a year, with the figures they must give."""
    p, a = procedure, agency

    def at(y, *args):
        return _at(year + y - 2026, *args)

    ds = [
        # Received in September, still open and overdue since 10 October.
        make_dossier(p, a, received=at(2026, 9, 25), due=at(2026, 10, 10)),
        # Received in October on the desk, settled early in October.
        make_dossier(
            p,
            a,
            status=Status.RETURNED,
            received=at(2026, 10, 1),
            due=at(2026, 10, 8),
            ready=at(2026, 10, 6),
            closed=at(2026, 10, 7),
            timeliness="early",
            sync="synced",
        ),
        # Received online in October, settled on time in November.
        make_dossier(
            p,
            a,
            status=Status.RESULT_READY,
            channel="online",
            received=at(2026, 10, 20),
            due=at(2026, 11, 3),
            ready=at(2026, 11, 3, 8),
            timeliness="on_time",
        ),
        # Received by post in October, settled late in November.
        make_dossier(
            p,
            a,
            status=Status.RETURNED,
            channel="post",
            received=at(2026, 10, 28),
            due=at(2026, 10, 30),
            ready=at(2026, 11, 2),
            closed=at(2026, 11, 4),
            timeliness="late",
        ),
        # Received via DVCQG in October, refused in October.
        make_dossier(
            p,
            a,
            status=Status.REFUSED,
            channel="dvcqg",
            received=at(2026, 10, 5),
            due=at(2026, 10, 20),
            closed=at(2026, 10, 9),
            sync="synced",
        ),
        # Received in October, withdrawn in November.
        make_dossier(
            p,
            a,
            status=Status.WITHDRAWN,
            received=at(2026, 10, 30),
            due=at(2026, 11, 10),
            closed=at(2026, 11, 2),
        ),
        # Received in November, open and not yet due.
        make_dossier(
            p,
            a,
            status=Status.SUPPLEMENT_REQUESTED,
            received=at(2026, 11, 18),
            due=at(2026, 11, 25),
        ),
        # Received in November, open and overdue as of now (due yesterday).
        make_dossier(p, a, status=Status.SUSPENDED, received=at(2026, 11, 2), due=at(2026, 11, 19)),
        # Received on 31 October at 23:30 Hanoi time (16:30 UTC): an October dossier.
        make_dossier(
            p, a, status=Status.TRANSFERRED, received=at(2026, 10, 31, 23, 30), due=at(2026, 12, 1)
        ),
        # Never accepted: counted nowhere.
        make_dossier(p, a, status=Status.SUBMITTED),
        make_dossier(p, a, status=Status.INTAKE_REFUSED, closed=at(2026, 10, 3)),
    ]
    Rating.objects.create(
        dossier=ds[1],
        created_at=at(2026, 10, 8),
        time=5,
        contacts=5,
        information=5,
        attitude=5,
        result=5,
        overall=5,
    )
    Rating.objects.create(
        dossier=ds[3],
        created_at=at(2026, 11, 5),
        time=2,
        contacts=2,
        information=2,
        attitude=2,
        result=2,
        overall=2,
    )
    return ds


EXPECTED = {
    date(2026, 9, 1): {"received": 1, "received_desk": 1, "open_not_due": 1},
    date(2026, 10, 1): {
        "received": 6,
        "received_desk": 3,
        "received_post": 1,
        "received_online": 1,
        "received_dvcqg": 1,
        "carried_over": 1,
        "settled_early": 1,
        "refused": 1,
        "synced": 2,
        "rating_5": 1,
        # Open on 31 October 24:00: Sept overdue one (due 10/10), online (due 3/11), post
        # (due 30/10: overdue), withdrawn-later (due 10/11), transferred (due 1/12).
        "open_overdue": 2,
        "open_not_due": 3,
    },
    date(2026, 11, 1): {
        "received": 2,
        "received_desk": 2,
        "carried_over": 5,
        "settled_on_time": 1,
        "settled_late": 1,
        "withdrawn": 1,
        "rating_2": 1,
        # Open now (20/11 10:00): Sept (overdue), suspended (due 19/11, overdue),
        # supplement (due 25/11), transferred (due 1/12).
        "open_overdue": 2,
        "open_not_due": 2,
    },
}


# The same fixture in a past year: November is complete, so "open" is judged on 30/11
# 24:00. The dossier due 25/11 waits for the applicant's supplement: its clock is stopped,
# so it stays "not due" (as on the worklist).
EXPECTED_PAST = {
    **EXPECTED,
    date(2026, 11, 1): {**EXPECTED[date(2026, 11, 1)], "open_overdue": 2, "open_not_due": 2},
    # The four still open are carried into December; three are overdue by its end.
    date(2026, 12, 1): {"carried_over": 4, "open_overdue": 3, "open_not_due": 1},
}


def snapshot(year=None):
    out = {}
    rows = MonthlyStat.objects.all()
    if year:
        rows = rows.filter(month__year=year)
    for row in rows.values("month", *MonthlyStat.COUNT_FIELDS):
        month = row.pop("month")
        out[month] = {k: v for k, v in row.items() if v}
    return out


@time_machine.travel(NOW, tick=False)
def test_full_recompute_counts_every_status_in_its_month(procedure, agency_a):
    build_fixture(procedure, agency_a)
    stats_full_recompute(first=date(2026, 1, 1), last=date(2026, 12, 1))
    assert snapshot() == EXPECTED


@time_machine.travel(NOW, tick=False)
def test_full_recompute_twice_gives_the_same_rows(procedure, agency_a):
    build_fixture(procedure, agency_a)
    stats_full_recompute(year=2026)
    first = snapshot()
    assert stats_full_recompute(year=2026) == 3
    assert snapshot() == first == EXPECTED


@time_machine.travel(NOW, tick=False)
def test_refreshing_each_dossier_gives_the_full_recompute(procedure, agency_a):
    for d in build_fixture(procedure, agency_a):
        stats_refresh_dossier(dossier_id=d.id)
    assert snapshot() == EXPECTED


@time_machine.travel(NOW, tick=False)
def test_future_months_are_never_stored(procedure, agency_a):
    build_fixture(procedure, agency_a)
    stats_full_recompute(first=date(2026, 11, 1), last=date(2027, 3, 1))
    assert set(MonthlyStat.objects.values_list("month", flat=True)) == {date(2026, 11, 1)}


def test_settling_a_dossier_moves_it_out_of_the_open_count(procedure, agency_a):
    with time_machine.travel(NOW, tick=False):
        d = make_dossier(procedure, agency_a, received=at(2026, 11, 2), due=at(2026, 11, 30))
        stats_refresh_dossier(dossier_id=d.id)
        assert MonthlyStat.objects.get().open_not_due == 1
        d.status, d.result_ready_at, d.timeliness = Status.RESULT_READY, NOW, "early"
        d.save()
        stats_refresh_dossier(dossier_id=d.id)
        row = MonthlyStat.objects.get()
    assert (row.open_not_due, row.settled_early, row.received) == (0, 1, 1)


@pytest.mark.parametrize("hour,month", [(23, 10), (0, 11)])
def test_month_boundaries_are_hanoi_time(procedure, agency_a, hour, month):
    day = 31 if hour == 23 else 1
    with time_machine.travel(NOW, tick=False):
        make_dossier(
            procedure, agency_a, received=at(2026, month, day, hour, 30), due=at(2026, 12, 20)
        )
        stats_full_recompute(first=date(2026, 10, 1), last=date(2026, 11, 1))
    row = MonthlyStat.objects.get(received=1)
    assert row.month == date(2026, month, 1)


def test_a_past_year_judges_open_dossiers_at_the_month_end(procedure, agency_a):
    build_fixture(procedure, agency_a, year=2024)
    stats_full_recompute(year=2024)
    expected = {m.replace(year=2024): v for m, v in EXPECTED_PAST.items()}
    assert snapshot(2024) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["full", "incremental"])
def test_a_dossier_waiting_for_a_supplement_is_open_but_not_overdue(procedure, department, path):
    # Its clock is stopped (Decree 61/2018 art. 19(4)): the stale due time must not count,
    # exactly as the worklist and the public lookup say.
    waiting = make_dossier(
        procedure,
        department,
        status=Status.SUPPLEMENT_REQUESTED,
        received=at(2026, 10, 1),
        due=at(2026, 10, 8),
    )
    running = make_dossier(procedure, department, received=at(2026, 10, 2), due=at(2026, 10, 9))
    with time_machine.travel(NOW, tick=False):
        if path == "full":
            stats_full_recompute(year=2026)
        else:
            stats_refresh_dossier(dossier_id=waiting.pk)
            stats_refresh_dossier(dossier_id=running.pk)
        cell = MonthlyStat.objects.get(agency=department, month=date(2026, 11, 1))
    assert (cell.open_overdue, cell.open_not_due) == (1, 1)


def _monthlystat_indexes() -> set[tuple[str, str]]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
            [MonthlyStat._meta.db_table],
        )
        return set(cur.fetchall())


@time_machine.travel(NOW, tick=False)
def test_full_recompute_of_every_cell_keeps_the_indexes_and_constraints(procedure, agency_a):
    """The whole-table rebuild drops the secondary indexes and builds them again: names and
    definitions must come back unchanged (migrations and the ORM rely on them), and the
    unique cell constraint must still hold."""
    from django.db import IntegrityError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL path")
    build_fixture(procedure, agency_a)
    before = _monthlystat_indexes()
    assert any(name == "monthly_stat_cell" for name, _ in before)
    stats_full_recompute(first=date(2021, 1, 1), last=date(2026, 11, 1))  # truncates
    assert _monthlystat_indexes() == before
    assert snapshot() == EXPECTED
    row = MonthlyStat.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyStat.objects.create(
            agency_id=row.agency_id,
            field_id=row.field_id,
            procedure_id=row.procedure_id,
            month=row.month,
        )
    stats_full_recompute(first=date(2021, 1, 1), last=date(2026, 11, 1))  # twice: same
    assert _monthlystat_indexes() == before
    assert snapshot() == EXPECTED
