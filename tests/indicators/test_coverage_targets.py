"""DVCQG coverage as the plan defines it (level 3/4 denominator, as of a date) and targets
as data per year and per agency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from indicators import selectors
from indicators.models import Target
from procedures.models import Procedure
from tests.factories import AgencyFactory, ProcedureFactory

from .conftest import at

M = Procedure.OnlineMode


@pytest.fixture
def catalogue(db):
    def p(mode, since, integrated, on):
        return ProcedureFactory(
            online_mode=mode,
            online_mode_since=since,
            dvcqg_integrated=integrated,
            dvcqg_integrated_on=on,
            status=Procedure.Status.PUBLISHED,
        )

    return [
        p(M.FULL, date(2021, 3, 1), True, date(2022, 6, 1)),
        p(M.PARTIAL, date(2020, 1, 1), True, date(2021, 5, 1)),
        p(M.PARTIAL, date(2023, 1, 1), False, None),
        p(M.NONE, None, True, date(2021, 1, 1)),  # integrated but not online: never counted
        p(M.FULL, None, True, None),  # dates unknown: counts only for today
    ]


@pytest.mark.parametrize(
    ("year", "integrated", "online", "rate"),
    [
        (2021, 1, 2, Decimal("50.00")),
        (2022, 2, 2, Decimal("100.00")),
        (2023, 2, 3, Decimal("66.67")),
        (2026, 3, 4, Decimal("75.00")),  # this year: as of today, today's flags
    ],
)
def test_coverage_equals_a_hand_count_with_the_level_3_4_denominator_per_year(
    catalogue, year, integrated, online, rate
):
    with time_machine.travel(at(2026, 11, 20), tick=False):
        c = selectors.procedure_coverage(as_of=selectors.year_end(year))
    assert (c.online_integrated, c.online, c.total) == (integrated, online, 5)
    assert c.integration_rate == rate


def test_each_year_is_judged_against_that_years_target_and_agencies_may_have_their_own(db):
    agency = AgencyFactory()
    Target.objects.all().delete()
    Target.objects.create(metric="on_time_rate", year_from=2021, value=95, source="KH 2021")
    Target.objects.create(metric="on_time_rate", year_from=2024, value=99, source="KH 2024")
    Target.objects.create(
        metric="on_time_rate", year_from=2024, value=97, source="KH riêng", agency=agency
    )
    by_year = {
        y: [t.value for t in selectors.targets_for(y) if t.metric == "on_time_rate"]
        for y in (2022, 2025)
    }
    assert by_year == {2022: [95], 2025: [99]}
    own = selectors.targets_for(2025, agency_id=agency.id)
    assert [(t.value, t.agency_id) for t in own] == [(97, agency.id)]
    assert [t.value for t in selectors.targets_for(2022, agency_id=agency.id)] == [95]
