"""Issue 14's small frictions in a real browser, at 390 and 1280 px: a refused action keeps
the typed text, the agency list filters as one types, the specialist is told who acts
next. Screenshots go to test-artifacts/ (and FRICTION_SHOTS when set) for a person."""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dossiers import services
from procedures.models import Agency
from tests.e2e.conftest import own_cache
from tests.factories import AgencyFactory, ProcedureFactory

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=HANOI)
L, U = Agency.Level, Agency.UnitType
DEPARTMENTS = ["Sở Tư pháp", "Sở Xây dựng", "Sở Tài chính", "Sở Nông nghiệp và Môi trường"]
WARDS = ["Ba Đình", "Ngọc Hà", "Giảng Võ", "Tây Hồ", "Cầu Giấy", "Đống Đa", "Hai Bà Trưng"]
COMMUNES = ["Đông Anh", "Bát Tràng", "Sóc Sơn", "Thạch Thất", "Ba Vì", "Mê Linh"]
REASON = "Chờ ý kiến của Sở Nông nghiệp và Môi trường về ranh giới thửa đất (công văn số 12)."


@pytest.fixture(autouse=True)
def monday(settings):
    own_cache(settings, "e2e-frictions")
    with time_machine.travel(MONDAY, tick=True):
        yield


@pytest.fixture
def dossier(agency_a, desk_a):
    for name in DEPARTMENTS:
        AgencyFactory(name=name, level=L.DEPARTMENT, unit_type=U.NONE)
    for name in WARDS:
        AgencyFactory(name=f"UBND phường {name}", level=L.COMMUNE, unit_type=U.WARD)
    for name in COMMUNES:
        AgencyFactory(name=f"UBND xã {name}", level=L.COMMUNE, unit_type=U.COMMUNE)
    procedure = ProcedureFactory(
        name="Cấp giấy phép xây dựng nhà ở riêng lẻ",
        agencies=[agency_a],
        needs_leader_decision=False,
    )
    received = services.dossier_receive(
        actor=desk_a,
        procedure=procedure,
        agency=agency_a,
        channel="desk",
        applicant={"name": "Trần Thị Hồng Nhung", "phone": "0912345678"},
        documents=[],
        received_at=MONDAY,
    )
    return services.dossier_transition(
        actor=None, dossier_id=received.pk, action="start_processing"
    )


def sign_in(page, user):
    user.save()
    page.context.clear_cookies()
    page.goto(page.base_url + "/dang-nhap/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "mat-khau-thu-nghiem")
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def shoot(page, screenshot, name: str, element=None):
    """The whole page to test-artifacts/, and the screen around `element` (what a person
    looks at) to FRICTION_SHOTS when set."""
    path = screenshot(name)
    target = os.environ.get("FRICTION_SHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        if element is not None:
            element.evaluate("e => e.scrollIntoView({block: 'start'})")
            page.screenshot(path=str(Path(target) / path.name))
        else:
            shutil.copy(path, Path(target) / path.name)


def open_action(page, label):
    details = page.locator("details.action", has=page.locator(f"summary:text-is('{label}')"))
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return details


def no_sideways_scroll(page, width):
    scroll = page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
    )
    wide = page.evaluate(
        """w => Array.from(document.querySelectorAll('body *'))
              .filter(e => e.getBoundingClientRect().right > w + 1)
              .slice(0, 8)
              .map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)""",
        width,
    )
    assert scroll <= width, f"the page scrolls sideways: {scroll} px at {width} px: {wide}"


@pytest.mark.parametrize("width", [390, 1280])
def test_refused_action_agency_filter_and_next_step_hint(
    page, screenshot, specialist_a, dossier, width
):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, specialist_a)
    url = f"{page.base_url}/ho-so/xem/{dossier.code}/"
    page.goto(url)

    # 1. A refused apology (the new date is a Saturday): back with the text typed.
    details = open_action(page, "Xin lỗi và hẹn lại (Mẫu 04)")
    saturday = MONDAY.date() + timedelta(days=12)  # after the due date
    details.locator("[name='apologize-reason']").fill(REASON)
    details.locator("[name='apologize-new_due_date']").fill(saturday.isoformat())
    with page.expect_response(lambda r: "/thao-tac/apologize/" in r.url) as answer:
        details.locator("button[type=submit]").click()
    assert answer.value.status in {400, 409}  # the service's InvalidInput or NotAllowedInState
    page.wait_for_load_state()
    refused = page.locator("details.action.refused")
    assert refused.get_attribute("open") is not None
    assert refused.locator("[name='apologize-reason']").input_value() == REASON
    assert refused.locator("[name='apologize-new_due_date']").input_value() == saturday.isoformat()
    assert page.locator(".messages .msg-error").count() == 1
    # The refused form is brought into view (its first field focused), not left far below.
    assert page.evaluate("document.activeElement.closest('details.refused') !== null")
    no_sideways_scroll(page, width)
    shoot(page, screenshot, f"friction-refused-{width}", page.locator(".messages"))
    shoot(page, screenshot, f"friction-refused-form-{width}", refused)

    # 2. The agency list of a transfer: grouped, and filtered by typing without diacritics.
    details = open_action(page, "Chuyển cơ quan phối hợp")
    select = details.locator("select[name='transfer-to_agency']")
    assert select.locator("optgroup").count() >= 3
    box = details.locator("input.select-filter")
    box.fill("phuong dong da")
    visible = select.evaluate(
        "s => Array.from(s.options).filter(o => o.value && !o.hidden).map(o => o.text)"
    )
    assert visible == ["UBND phường Đống Đa"]
    assert select.evaluate("s => s.options[s.selectedIndex].text") == "UBND phường Đống Đa"
    box.fill("so")
    groups = select.evaluate(
        "s => Array.from(s.querySelectorAll('optgroup')).filter(g => !g.hidden).map(g => g.label)"
    )
    assert "Sở, ban, ngành" in groups and "Phường" not in groups
    box.fill("")
    box.fill("tu phap")
    no_sideways_scroll(page, width)
    shoot(page, screenshot, f"friction-agency-filter-{width}", details)
    details.locator("[name='transfer-limit_value']").fill("2")
    details.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "Đang chuyển cơ quan phối hợp" in page.locator(".badge.big").first.inner_text()
    dossier.refresh_from_db()
    assert dossier.current_agency.name == "Sở Tư pháp"


@pytest.mark.parametrize("width", [390, 1280])
def test_after_a_supplement_request_the_specialist_sees_who_acts_next(
    page, screenshot, specialist_a, dossier, agency_a, width
):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, specialist_a)
    page.goto(f"{page.base_url}/ho-so/xem/{dossier.code}/")
    details = open_action(page, "Yêu cầu bổ sung (Mẫu 02)")
    details.locator("[name='request_supplement-content']").fill(
        "Bản sao giấy chứng nhận quyền sử dụng đất"
    )
    details.locator("button[type=submit]").click()
    page.wait_for_load_state()
    hint = page.locator(".next-steps").inner_text()
    assert "Bộ phận Tiếp nhận và Trả kết quả" in hint and agency_a.name in hint
    assert "Nhận hồ sơ bổ sung" in hint
    no_sideways_scroll(page, width)
    shoot(page, screenshot, f"friction-next-step-{width}", page.locator(".actions-card"))


@pytest.mark.parametrize("width", [390, 1280])
def test_the_intake_agency_list_filters_as_one_types(
    page, screenshot, sysadmin, dossier, agency_a, width
):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, sysadmin)
    page.goto(f"{page.base_url}/ho-so/tiep-nhan/?thu_tuc={dossier.procedure_id}")
    select = page.locator("select[name='agency']")
    assert select.locator("optgroup").count() >= 3
    box = page.locator("input.select-filter")
    box.fill("xa dong anh")
    visible = select.evaluate(
        "s => Array.from(s.options).filter(o => o.value && !o.hidden).map(o => o.text)"
    )
    assert visible == ["UBND xã Đông Anh"]
    no_sideways_scroll(page, width)
    shoot(page, screenshot, f"friction-intake-agency-{width}", box.locator("xpath=.."))
