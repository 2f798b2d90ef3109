"""Internal processing in a real browser: the leader assigns a named specialist, the
specialist processes, the leader signs off, the result is ready and the desk returns it."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dossiers import services
from tests.factories import ProcedureFactory

from .test_dossier_flow import sign_in

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=HANOI)


@pytest.fixture(autouse=True)
def office_hours():
    with time_machine.travel(MONDAY, tick=True):
        yield


def act(page, label, fields=None, selects=None):
    details = page.locator("details.action", has=page.locator(f"summary:text-is('{label}')"))
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    for name, value in (selects or {}).items():
        details.locator(f"select[name='{name}']").select_option(value)
    for name, value in (fields or {}).items():
        details.locator(f"[name='{name}']").fill(value)
    details.locator("button[type=submit]").click()
    page.wait_for_load_state()


def offered(page, label) -> bool:
    return page.locator(f"details.action summary:text-is('{label}')").count() > 0


def test_assignment_processing_sign_off_result_and_return(
    page, screenshot, agency_a, desk_a, specialist_a, leader_a
):
    specialist_a.last_name, specialist_a.first_name = "Phạm", "Thu Hà"
    specialist_a.save()
    procedure = ProcedureFactory(name="Cấp giấy phép kinh doanh", agencies=[agency_a])
    assert procedure.needs_leader_decision  # the catalogue's default
    dossier = services.dossier_receive(
        actor=desk_a,
        procedure=procedure,
        agency=agency_a,
        channel="desk",
        applicant={"name": "Lê Văn Bình", "phone": "0987654321"},
        documents=[],
    )
    url = page.base_url + f"/ho-so/xem/{dossier.code}/"

    sign_in(page, leader_a)
    page.goto(url)
    act(page, "Giao chuyên viên xử lý", selects={"assign-assignee": str(specialist_a.pk)})
    assert "Đang giải quyết" in page.locator(".badge.big").first.inner_text()

    sign_in(page, specialist_a)
    page.goto(url)
    assert not offered(page, "Lãnh đạo phê duyệt kết quả")  # the leader's
    act(page, "Có kết quả")  # refused: the leader has not signed off yet
    assert page.locator(".messages .msg-error").count() >= 1
    assert "Đang giải quyết" in page.locator(".badge.big").first.inner_text()

    sign_in(page, leader_a)
    page.goto(url)
    act(page, "Lãnh đạo phê duyệt kết quả")

    sign_in(page, specialist_a)
    page.goto(url)
    act(page, "Có kết quả")
    assert "Đã có kết quả" in page.locator(".badge.big").first.inner_text()

    sign_in(page, desk_a)
    page.goto(url)
    act(page, "Trả kết quả")
    assert "Đã trả kết quả" in page.locator(".badge.big").first.inner_text()
    timeline = page.locator("ol.timeline").inner_text()
    for step in ("Giao chuyên viên xử lý", "Lãnh đạo phê duyệt kết quả", "Có kết quả"):
        assert step in timeline
    assert "Phạm Thu Hà" in timeline
    screenshot("dossier-internal-processing")
