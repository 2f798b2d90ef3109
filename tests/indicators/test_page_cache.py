"""The dashboards' and the disclosure's tables are cached per statistics version
(indicators.pagecache): a hit does no roll-up work, and any change of the figures shows at
once (a refresh, a restatement, a month closed), never a stale table."""

from __future__ import annotations

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dossiers.workflow import Status
from indicators import closing
from indicators.services import stats_refresh_dossier
from tests.factories import ProcedureFactory

from .conftest import at, login, make_dossier
from .test_closing import OCT, event
from .test_closing import october as october  # noqa: F401 - a fixture


def get(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url, params)
    assert resp.status_code == 200
    return resp.content.decode(), [q["sql"] for q in ctx.captured_queries]


def test_a_cached_agency_page_does_no_rollup_work_and_shows_a_refresh_at_once(
    db, client, inspector, october, agency_a, field
):
    login(client, inspector)
    url = reverse("indicators:agency", args=[agency_a.pk])
    with time_machine.travel(at(2026, 11, 10), tick=False):
        first, _ = get(client, url, {"nam": 2026})
        again, queries = get(client, url, {"nam": 2026})
        assert "Diễn biến theo tháng" in again  # the cached tables are there
        # The trend and procedure tables came from the cache: no per-month or per-cell read.
        assert not any("indicators_monthlystat" in q for q in queries)
        assert not any('"month" AS "month"' in q for q in queries)

        newcomer = ProcedureFactory(national_code="1.009999", name="Thủ tục mới nộp", field=field)
        d = make_dossier(newcomer, agency_a, received=at(2026, 11, 9), due=at(2026, 11, 30))
        event(d, at(2026, 11, 9), "receive", Status.PROCESSING)
        stats_refresh_dossier(dossier_id=d.id)
        after, _ = get(client, url, {"nam": 2026})
        assert "Thủ tục mới nộp" not in first and "Thủ tục mới nộp" in after


def test_a_cached_disclosure_of_a_closed_month_shows_a_later_restatement(db, client, october):
    _late, other = october
    url = reverse("indicators:disclosure")
    with time_machine.travel(at(2026, 11, 10), tick=False):
        closing.month_close(month=OCT)
        before, _ = get(client, url, {"thang": "2026-10"})
        assert 'id="dinh-chinh"' not in before
        other.channel = "post"  # a correction of a past column restates October
        other.save()
        event(other, at(2026, 11, 10), "correct_channel", Status.PROCESSING)
        stats_refresh_dossier(dossier_id=other.id)
        after, _ = get(client, url, {"thang": "2026-10"})
        assert 'id="dinh-chinh"' in after and "2 → 1" in after


def test_closing_a_month_changes_its_cached_disclosure(db, client, october):
    url = reverse("indicators:disclosure")
    with time_machine.travel(at(2026, 11, 10), tick=False):
        open_page, _ = get(client, url, {"thang": "2026-10"})
        assert "status-closed" not in open_page
        closing.month_close(month=OCT)
        closed_page, _ = get(client, url, {"thang": "2026-10"})
        assert "status-closed" in closed_page
        # The tables of the closed month are the published rows (here equal to the live).
        assert closed_page.count('class="data disclosure"') == open_page.count(
            'class="data disclosure"'
        )
