"""A dossier's life in a real browser: desk and specialist officials, then the citizen."""

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dossiers import services
from tests.e2e.conftest import own_cache
from tests.factories import ProcedureFactory

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
# Where the harness's `screenshot` fixture saves; the citizen's own browser saves here too.
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# A Monday morning in office hours, so the supplement and apology rules apply plainly.
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=HANOI)


@pytest.fixture(autouse=True)
def office_hours(settings):
    own_cache(settings, "e2e-dossier-flow")
    with time_machine.travel(MONDAY, tick=True):
        yield


@pytest.fixture
def procedure(agency_a):
    # A result the specialist may mark ready alone: the leader's sign-off is walked in
    # test_internal_processing.py.
    proc = ProcedureFactory(
        name="Đăng ký khai sinh",
        national_code="1.001193",
        agencies=[agency_a],
        needs_leader_decision=False,
    )
    proc.required_documents.create(name="Tờ khai đăng ký khai sinh", order=1)
    proc.required_documents.create(name="Giấy chứng sinh", form="copy", order=2)
    return proc


def sign_in(page, user):
    # UserFactory does not save the hashed password after set_password: store it first.
    user.save()
    page.context.clear_cookies()
    page.goto(page.base_url + "/dang-nhap/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "mat-khau-thu-nghiem")
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def act(page, label, fields=None):
    """Open an action on the dossier page, fill its fields and submit it."""
    details = page.locator("details.action", has=page.locator(f"summary:text-is('{label}')"))
    if details.get_attribute("open") is None:  # a lone action is shown already open
        details.locator("summary").click()
    for name, value in (fields or {}).items():
        details.locator(f"[name='{name}']").fill(value)
    details.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_intake_supplement_result_and_return_then_the_citizen_looks_it_up(
    page, screenshot, desk_a, specialist_a, procedure, browser
):
    sign_in(page, desk_a)
    page.goto(page.base_url + "/ho-so/tiep-nhan/?q=khai+sinh")
    page.select_option("#thu_tuc", str(procedure.pk))
    page.wait_for_selector("text=Thành phần hồ sơ")
    page.check("input[name=documents] >> nth=0")
    page.check("input[name=documents] >> nth=1")
    page.fill("input[name=applicant_name]", "Trần Thị Hồng Nhung")
    page.fill("input[name=applicant_id_number]", "001190012345")
    page.fill("input[name=applicant_phone]", "0912345678")
    page.fill("input[name=applicant_address]", "Số 5 phố Hàng Bạc, phường Hoàn Kiếm")
    screenshot("dossier-intake")
    page.click("button[value=receive]")
    page.wait_for_load_state()
    assert "?in=01" in page.url
    assert page.locator(".messages").inner_text().startswith("Đã tiếp nhận hồ sơ")
    code = page.locator("h1 .mono").inner_text()
    assert re.fullmatch(r"000\.01\.01\.H26-\d{6}-\d{4}", code)
    dossier_url = page.url.split("?")[0]

    sign_in(page, specialist_a)
    page.goto(dossier_url)
    act(
        page,
        "Yêu cầu bổ sung (Mẫu 02)",
        {"request_supplement-content": "Bản sao giấy đăng ký kết hôn của cha mẹ"},
    )
    assert "Chờ bổ sung hồ sơ" in page.locator(".badge.big").first.inner_text()

    sign_in(page, desk_a)
    page.goto(dossier_url)
    act(page, "Nhận hồ sơ bổ sung")
    assert "Đang giải quyết" in page.locator(".badge.big").first.inner_text()

    page.goto(page.base_url + "/ho-so/")
    assert code in page.content()
    screenshot("dossier-worklist")

    sign_in(page, specialist_a)
    page.goto(dossier_url)
    act(page, "Có kết quả")
    assert "Đã có kết quả" in page.locator(".badge.big").first.inner_text()

    sign_in(page, desk_a)
    page.goto(dossier_url)
    act(page, "Trả kết quả")
    assert "Đã trả kết quả" in page.locator(".badge.big").first.inner_text()
    timeline = page.locator("ol.timeline").inner_text()
    for step in ("Tiếp nhận hồ sơ", "Yêu cầu bổ sung", "Nhận hồ sơ bổ sung", "Trả kết quả"):
        assert step in timeline
    screenshot("dossier-page")

    # The citizen, in a browser of their own.
    citizen = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    public = citizen.new_page()
    ARTIFACTS.mkdir(exist_ok=True)
    public.goto(page.base_url + "/ho-so/tra-cuu/?ma=" + code)
    summary = public.locator("section.result").inner_text()
    assert "Đã trả kết quả" in summary and "UBND phường Hoàn Kiếm" in summary
    assert "Trần Thị Hồng Nhung" not in public.content()
    public.screenshot(
        path=str(screenshot("dossier-lookup-code-only").parent / "dossier-lookup-code-only.png"),
        full_page=True,
    )

    public.fill("input[name=secret]", "0000")
    public.click("main button[type=submit]")
    assert "Không tìm thấy hồ sơ khớp" in public.locator("[role=alert]").inner_text()

    public.fill("input[name=ma]", code)
    public.fill("input[name=secret]", "5678")
    public.click("main button[type=submit]")
    public.wait_for_load_state()
    history = public.locator("ol.timeline").inner_text()
    assert "Yêu cầu bổ sung" in history and "Chuyên viên xử lý" in history
    assert "Nguyễn" not in history and "0912345678" not in public.content()
    for criterion in ("time", "contacts", "information", "attitude", "result", "overall"):
        public.check(f"input[name={criterion}][value='5']")
    public.fill("textarea[name=comment]", "Cán bộ hướng dẫn tận tình.")
    public.screenshot(path=str(ARTIFACTS / "dossier-lookup-with-secret.png"), full_page=True)
    public.click("form[action$='danh-gia/'] button[type=submit]")
    public.wait_for_load_state()
    assert "Cảm ơn" in public.locator(".messages").inner_text()
    citizen.close()


def test_an_apology_moves_the_appointment_once(page, screenshot, desk_a, specialist_a, procedure):
    dossier = services.dossier_receive(
        actor=desk_a,
        procedure=procedure,
        agency=procedure.agencies.get(),
        channel="desk",
        applicant={"name": "Lê Văn Bình", "phone": "0987654321"},
        documents=[
            {"name": "Tờ khai đăng ký khai sinh", "form": "original", "copies": 1},
            {"name": "Giấy chứng sinh", "form": "copy", "copies": 1},
        ],
    )
    new_day = (dossier.due_at + timedelta(days=7)).astimezone(HANOI).date()
    while new_day.weekday() >= 5:
        new_day += timedelta(days=1)
    sign_in(page, specialist_a)
    page.goto(page.base_url + f"/ho-so/xem/{dossier.code}/")
    act(
        page,
        "Xin lỗi và hẹn lại (Mẫu 04)",
        {
            "apologize-reason": "Cần xác minh thông tin cư trú với Công an phường",
            "apologize-new_due_date": new_day.isoformat(),
        },
    )
    assert "Đã thực hiện" in page.locator(".messages").inner_text()
    assert f"{new_day:%d/%m/%Y}" in page.locator("dl.kv").first.inner_text()
    assert "Mẫu 04" in page.locator(".print-box").inner_text()
    # The new date may be set only once (Decree 61/2018 art. 19(5)): no second offer.
    assert page.locator("summary:text-is('Xin lỗi và hẹn lại (Mẫu 04)')").count() == 0
    assert "được hẹn lại thành" in page.locator(".explain").inner_text()
    screenshot("dossier-page-apology")


def test_intake_explains_what_is_wrong_and_keeps_what_was_typed(
    page, screenshot, desk_a, procedure
):
    sign_in(page, desk_a)
    page.goto(page.base_url + f"/ho-so/tiep-nhan/?thu_tuc={procedure.pk}")
    page.check("input[name=documents] >> nth=0")
    page.fill("input[name=applicant_name]", "Phạm Minh Tuấn")
    page.fill("input[name=applicant_phone]", "12345")
    page.click("button[value=receive]")
    page.wait_for_load_state()
    errors = page.locator(".errorlist").all_inner_texts()
    assert any("Giấy chứng sinh" in e for e in errors)
    assert any("Số điện thoại không hợp lệ" in e for e in errors)
    assert page.input_value("input[name=applicant_name]") == "Phạm Minh Tuấn"
    assert page.is_checked("input[name=documents] >> nth=0")
    screenshot("dossier-intake-errors")


def test_the_intake_search_button_searches_before_a_procedure_is_chosen(page, desk_a, procedure):
    ProcedureFactory(name="Chứng thực bản sao từ bản chính", agencies=[procedure.agencies.get()])
    sign_in(page, desk_a)
    page.goto(page.base_url + "/ho-so/tiep-nhan/")
    page.fill("#q", "khai sinh")
    page.click("button:text-is('Tìm')")
    page.wait_for_url("**/ho-so/tiep-nhan/?q=khai+sinh")
    options = page.locator("#thu_tuc option").all_inner_texts()
    assert options == ["1.001193 – Đăng ký khai sinh"]


def test_the_landing_after_login_honours_next_for_every_role(page, desk_a, inspector):
    for user in (desk_a, inspector):
        user.save()
        page.context.clear_cookies()
        page.goto(page.base_url + "/dang-nhap/?next=/ho-so/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", "mat-khau-thu-nghiem")
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        assert page.url == page.base_url + "/ho-so/"
        assert page.locator("h1").inner_text() == "Danh sách hồ sơ"


@pytest.mark.parametrize("who", ["desk", "citizen"])
def test_pages_fit_a_390px_phone_tables_scroll_inside_their_card(
    page, screenshot, desk_a, procedure, who
):
    from tests.dossiers.factories import DossierFactory

    agency = procedure.agencies.get()
    dossiers = DossierFactory.create_batch(3, agency=agency, procedure=procedure)
    dossier = dossiers[0]
    page.set_viewport_size({"width": 390, "height": 844})
    if who == "desk":
        sign_in(page, desk_a)
        urls = {"worklist": "/ho-so/", "dossier": f"/ho-so/xem/{dossier.code}/"}
    else:
        urls = {"lookup": f"/ho-so/tra-cuu/?ma={dossier.code}"}
    for name, url in urls.items():
        page.goto(page.base_url + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{name} is {width}px wide"
        screenshot(f"dossier-390-{name}")
    if who == "citizen":  # the full answer, with the rating table
        settled = DossierFactory(agency=agency, procedure=procedure, settled=True)
        page.fill("input[name=ma]", settled.code)
        page.fill("input[name=secret]", settled.applicant_phone[-4:])
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        assert page.locator("table.rating-table").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot("dossier-390-lookup-rating")
