"""Closing a month: published figures stay, later changes become restatements, and past
months' stocks are judged as they stood at the month's end (from the history)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from dossiers.errors import InvalidInput
from dossiers.models import DossierEvent, OutboxMessage
from dossiers.workflow import Status
from indicators import closing
from indicators.models import AgencyMonthStat, CityMonthStat, MonthClose, Restatement
from indicators.services import stats_full_recompute, stats_refresh_dossier

from .conftest import at, make_dossier

OCT = date(2026, 10, 1)
NOV = date(2026, 11, 1)


def event(d, when, action, to_status, due=None):
    return DossierEvent.objects.create(
        dossier=d,
        at=when,
        action=action,
        from_status="",
        to_status=to_status,
        due_after=due if due is not None else d.due_at,
    )


def city(month, *, published=False):
    return CityMonthStat.objects.get(month=month, published=published)


@pytest.fixture
def october(procedure, agency_a):
    """Two dossiers received in October; one open and overdue at its end, synced then."""
    with time_machine.travel(at(2026, 10, 2), tick=False):
        late = make_dossier(
            procedure, agency_a, received=at(2026, 10, 1), due=at(2026, 10, 20), sync="synced"
        )
        event(late, at(2026, 10, 1), "receive", Status.PROCESSING)
        OutboxMessage.objects.create(
            dossier=late,
            kind="create",
            payload={},
            dedup_key=f"t-{late.pk}",
            delivered_at=at(2026, 10, 1, 10),
        )
        other = make_dossier(procedure, agency_a, received=at(2026, 10, 5), due=at(2026, 12, 5))
        event(other, at(2026, 10, 5), "receive", Status.PROCESSING)
    with time_machine.travel(at(2026, 11, 2), tick=False):
        stats_full_recompute(year=2026)
    return late, other


def test_a_supplement_requested_in_november_leaves_octobers_overdue_and_synced(
    db, october, procedure, agency_a
):
    late, _ = october
    with time_machine.travel(at(2026, 11, 6), tick=False):
        late.status = Status.SUPPLEMENT_REQUESTED
        late.sync_state = "pending"  # a later action makes DVCQG wait for the next delivery
        late.save()
        event(late, at(2026, 11, 6), "request_supplement", Status.SUPPLEMENT_REQUESTED)
        stats_refresh_dossier(dossier_id=late.id)
        oct_live = city(OCT)
        assert (oct_live.open_overdue, oct_live.open_not_due, oct_live.synced) == (1, 1, 1)
        # Now it waits for the applicant: the running month does not count it overdue.
        assert city(NOV).open_overdue == 0
        # The full recompute (the SQL path on PostgreSQL) agrees.
        stats_full_recompute(year=2026)
        oct_full = city(OCT)
        assert (oct_full.open_overdue, oct_full.open_not_due, oct_full.synced) == (1, 1, 1)
        assert city(NOV).open_overdue == 0


def test_a_closed_months_published_figures_stay_and_a_correction_is_a_restatement(
    db, client, october, procedure, agency_a
):
    late, other = october
    with time_machine.travel(at(2026, 11, 10), tick=False):
        assert closing.month_close(month=OCT) == [OCT]
        published = city(OCT, published=True)
        assert published.received == 2 and published.received_desk == 2
        # A correction of a past column: the October dossier actually came by post.
        other.channel = "post"
        other.save()
        ev = event(other, at(2026, 11, 10), "correct_channel", Status.PROCESSING)
        stats_refresh_dossier(dossier_id=other.id)

        assert city(OCT, published=True).received_desk == 2  # the published figure stays
        assert city(OCT).received_desk == 1  # the live figure moved
        rows = Restatement.objects.filter(month=OCT, figure="received_desk")
        assert {(r.dimension, r.old_value, r.new_value) for r in rows} == {
            ("city", 2, 1),
            ("agency", 2, 1),
            ("field", 2, 1),
        }
        assert {(r.dossier_id, r.action, r.event_id) for r in rows} == {
            (other.id, "correct_channel", ev.id)
        }
        # Refreshing again records nothing new: the restated value is the value shown.
        stats_refresh_dossier(dossier_id=other.id)
        assert Restatement.objects.filter(month=OCT, figure="received_desk").count() == 3

        resp = client.get(reverse("indicators:disclosure"), {"thang": "2026-10"})
        assert resp.status_code == 200
        data = resp.context["data"]
        assert data.closed and data.city.totals.received_desk == 2
        assert any("2 → 1" in n for n in data.city.notes)
        assert b'id="dinh-chinh"' in resp.content
        csv_body = client.get(
            reverse("indicators:disclosure"), {"thang": "2026-10", "dinh-dang": "csv"}
        ).content.decode("utf-8")
        assert "2 → 1" in csv_body


def test_months_close_in_order_and_never_the_running_one(db, october):
    with time_machine.travel(at(2026, 11, 10), tick=False):
        with pytest.raises(InvalidInput):
            closing.month_close(month=NOV)
        closed = closing.month_close(month=OCT)
        assert closed[-1] == OCT and all(m <= OCT for m in closed)
        assert closing.month_close(month=date(2026, 9, 1)) == []  # already closed
        assert closing.closed_through() == OCT


def test_last_month_closes_itself_after_its_working_days(db, october, settings):
    settings.STATS_CLOSE_AFTER_WORKING_DAYS = 5
    # 3 November 2026 is two working days after October's end.
    with time_machine.travel(at(2026, 11, 3, 9), tick=False):
        assert closing.close_due_months() == []
        assert not MonthClose.objects.exists()
    with time_machine.travel(at(2026, 11, 12, 9), tick=False):
        assert OCT in closing.close_due_months()
        assert MonthClose.objects.get(month=OCT).automatic


def test_dashboards_read_the_published_rows_of_a_closed_month(db, october, agency_a):
    from indicators import selectors

    with time_machine.travel(at(2026, 11, 10), tick=False):
        closing.month_close(month=OCT)
        # Tamper with the live row only: a closed month's pages must not see it.
        AgencyMonthStat.objects.filter(month=OCT, published=False).update(received=99)
        CityMonthStat.objects.filter(month=OCT, published=False).update(received=99)
        assert selectors.period_totals(first=OCT, last=OCT).received == 2
        assert selectors.by_agency(first=OCT, last=OCT)[0].received == 2
        nov = selectors.monthly_trend(first=OCT, last=NOV, agency_ids=[agency_a.id])
        assert [m.received for m in nov] == [2, 0]


def test_an_administrator_closes_a_month_in_the_admin_and_cannot_close_the_running_one(
    db, client, october
):
    from tests.factories import UserFactory

    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    url = reverse("admin:indicators_monthclose_add")
    with time_machine.travel(at(2026, 11, 10), tick=False):
        running = client.post(url, {"month": "2026-11-05"})
        assert running.status_code == 200 and not MonthClose.objects.exists()
        resp = client.post(url, {"month": "2026-10-15"})
        assert resp.status_code == 302
        closed = MonthClose.objects.get(month=OCT)
        assert closed.closed_by == admin_user and not closed.automatic
        assert client.get(reverse("admin:indicators_restatement_changelist")).status_code == 200
