"""An inspector opens the city dashboard; anyone opens the monthly public disclosure."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.core.management import call_command

from dossiers.models import Dossier, Rating
from dossiers.workflow import Status
from indicators.periods import add_months, current_month, last_complete_month, month_bounds
from indicators.services import stats_full_recompute
from procedures.models import Agency, Membership
from tests.factories import (
    AgencyFactory,
    FieldFactory,
    MembershipFactory,
    ProcedureFactory,
    UserFactory,
)


@pytest.fixture
def city_data(db):
    """Eight months of dossiers at three agencies, with published indices."""
    rng = random.Random(4)
    agencies = [
        AgencyFactory(name="Sở Tư pháp", level=Agency.Level.DEPARTMENT, unit_type=""),
        AgencyFactory(name="UBND phường Hoàn Kiếm"),
        AgencyFactory(name="UBND xã Sóc Sơn", unit_type=Agency.UnitType.COMMUNE),
    ]
    field = FieldFactory(name="Hộ tịch")
    procs = [
        ProcedureFactory(field=field, name=n) for n in ("Đăng ký khai sinh", "Đăng ký kết hôn")
    ]
    first = add_months(current_month(), -7)
    dossiers = []
    for i in range(400):
        agency = agencies[i % 3]
        month = add_months(first, rng.randint(0, 7))
        start, end = month_bounds(month)
        received = start + timedelta(seconds=rng.random() * (end - start).total_seconds() * 0.9)
        # Older dossiers are all settled; the last two months still have open ones.
        settled = month < add_months(current_month(), -1) or rng.random() < 0.7
        ready = received + timedelta(days=rng.randint(1, 12))
        dossiers.append(
            Dossier(
                procedure=procs[i % 2],
                field=field,
                agency=agency,
                current_agency=agency,
                channel=rng.choice(["desk", "online", "dvcqg", "post"]),
                status=Status.RETURNED if settled else Status.PROCESSING,
                applicant_name="Nguyễn Văn An",
                submitted_at=received,
                received_at=received,
                due_at=received + timedelta(days=7),
                result_ready_at=ready if settled else None,
                closed_at=ready if settled else None,
                timeliness=(rng.choice(["early", "early", "on_time", "late"]) if settled else ""),
                sync_state=rng.choice(["synced", "synced", "pending"]),
            )
        )
    Dossier.objects.bulk_create(dossiers)
    for d in Dossier.objects.filter(status=Status.RETURNED)[:120]:
        level = rng.choice([5, 5, 4, 3, 2])
        Rating.objects.create(
            dossier=d,
            created_at=d.closed_at,
            time=level,
            contacts=level,
            information=level,
            attitude=level,
            result=level,
            overall=level,
        )
    for year in {first.year, current_month().year}:
        stats_full_recompute(year=year)
    call_command("load_indicator_demo", "--no-stats", verbosity=0)
    return agencies


def sign_in(page, user):
    user.save()  # UserFactory does not store the hashed password by itself
    page.goto(page.base_url + "/dang-nhap/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "mat-khau-thu-nghiem")
    page.click("main button[type=submit]")  # the header's language buttons are submits too
    page.wait_for_load_state()


def test_inspector_sees_targets_charts_and_ranking(page, screenshot, city_data):
    user = UserFactory(username="thanhtra_e2e")
    MembershipFactory(user=user, agency=None, role=Membership.Role.INSPECTOR)
    sign_in(page, user)
    page.goto(page.base_url + "/chi-so/")
    assert page.locator("svg.chart").count() >= 3
    targets = page.inner_text("#targets")
    assert "Hồ sơ giải quyết đúng hạn, trước hạn" in targets and "≥ 99%" in targets
    ranking = page.inner_text("#ranking")
    assert "Sở Tư pháp" in ranking
    assert "hồ sơ đã giải quyết" in page.inner_text("main")
    screenshot("indicators_city_dashboard")
    page.click("#ranking >> text=Sở Tư pháp")
    page.wait_for_load_state()
    assert "Sở Tư pháp" in page.inner_text("h1")
    assert "Điểm quy đổi (thang 18)" in page.inner_text("main")
    assert page.locator("svg.chart").count() >= 3
    screenshot("indicators_agency_page")
    page.click("text=Đăng ký khai sinh")
    page.wait_for_load_state()
    assert "Đăng ký khai sinh" in page.inner_text("h1")
    screenshot("indicators_procedure_page")
    page.goto(page.base_url + "/chi-so/")
    page.click("text=PAR INDEX, SIPAS, PAPI qua các năm")
    page.wait_for_load_state()
    assert "92.57" in page.inner_text("main") or "92,57" in page.inner_text("main")
    screenshot("indicators_annual_indices")


def test_anyone_reads_last_months_disclosure_and_downloads_it(page, screenshot, city_data):
    page.goto(page.base_url + "/chi-so/cong-khai/")
    month = last_complete_month()
    assert f"{month:%m/%Y}" in page.inner_text("h1")
    totals = page.inner_text("#city-totals")
    expected = Dossier.objects.filter(
        received_at__gte=month_bounds(month)[0], received_at__lt=month_bounds(month)[1]
    ).count()
    assert str(expected) in totals
    assert "UBND xã Sóc Sơn" in page.inner_text("main")
    screenshot("indicators_public_disclosure")
    with page.expect_download() as info:
        page.click("text=Tải CSV")
    assert info.value.suggested_filename.endswith(f"{month:%Y-%m}.csv")


def test_at_390px_dashboard_and_disclosure_tables_scroll_inside_their_cards(
    page, screenshot, city_data
):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + "/chi-so/cong-khai/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator(".table-scroll #city-totals").count() == 1
    screenshot("indicators_public_disclosure_390")
    user = UserFactory(username="thanhtra_390")
    MembershipFactory(user=user, agency=None, role=Membership.Role.INSPECTOR)
    sign_in(page, user)
    page.goto(page.base_url + "/chi-so/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator(".table-scroll #targets").count() == 1
    # Every month of the year so far is visible in the monthly table (no inner scroll box).
    last_row = page.locator(".chart-table table").first.locator("tbody tr").last
    assert last_row.inner_text().startswith(f"{current_month():%m/%Y}")
    box = page.locator(".chart-table").first
    assert box.evaluate("b => b.scrollHeight <= b.clientHeight")  # nothing hidden below
    screenshot("indicators_city_dashboard_390")


def test_a_closed_months_disclosure_shows_the_published_figures_and_the_restatement(
    page, screenshot, city_data
):
    from dossiers.models import DossierEvent
    from indicators import closing
    from indicators.services import stats_refresh_dossier

    month = last_complete_month()
    closing.month_close(month=month)
    start, end = month_bounds(month)
    d = Dossier.objects.filter(received_at__gte=start, received_at__lt=end, channel="desk")[0]
    # A correction after publication: the dossier had come by post.
    Dossier.objects.filter(pk=d.pk).update(channel="post")
    DossierEvent.objects.create(
        dossier=d,
        at=d.received_at,
        action="correct_channel",
        to_status=d.status,
        due_after=d.due_at,
    )
    stats_refresh_dossier(dossier_id=d.pk)
    for width, name in ((1280, "indicators_closed_month_restatement"), (390, "_390")):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(page.base_url + f"/chi-so/cong-khai/?thang={month:%Y-%m}")
        assert page.locator(".status-closed").count() == 1
        assert page.locator("#dinh-chinh").count() == 1
        assert page.locator(".badge-restated").count() >= 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(name if width == 1280 else "indicators_closed_month_restatement_390")


def test_agency_page_at_390px_keeps_its_tables_inside_their_cards(page, screenshot, city_data):
    user = UserFactory(username="thanhtra_agency_390")
    MembershipFactory(user=user, agency=None, role=Membership.Role.INSPECTOR)
    sign_in(page, user)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + f"/chi-so/co-quan/{city_data[0].pk}/")
    assert page.locator("#targets").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("indicators_agency_page_390")
