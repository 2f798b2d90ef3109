"""The public catalogue and its admin, in a real browser."""

from decimal import Decimal

import pytest

from procedures.demo import load_catalogue
from procedures.models import Procedure
from procedures.services import DocumentSpec, TimeLimitSpec, procedure_upsert
from tests.factories import FieldFactory


@pytest.fixture
def catalogue(transactional_db, agency_a):
    load_catalogue(limit=60)
    field = FieldFactory(code="XAYDUNG", name="Hoạt động xây dựng")
    # The demo has this procedure; give it known values for the assertions below.
    demo = Procedure.objects.get(name="Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ")
    procedure, _ = procedure_upsert(
        national_code=demo.national_code,
        values={
            "name": "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
            "field": field,
            "at_commune": True,
            "time_limit_value": Decimal("15"),
            "time_limit_unit": "working_days",
            "fee": Decimal("75000"),
            "online_mode": Procedure.OnlineMode.PARTIAL,
            "legacy_level": 3,
            "dvcqg_integrated": True,
            "result_document": "Giấy phép xây dựng",
            "legal_basis": "Luật Xây dựng số 50/2014/QH13; Nghị định số 175/2024/NĐ-CP",
            "steps": "Bước 1: Nộp hồ sơ tại Bộ phận Một cửa.\nBước 2: Nhận giấy phép.",
        },
        agencies=[agency_a],
        documents=[
            DocumentSpec("Đơn đề nghị cấp giấy phép xây dựng (Mẫu số 01)", "original", 1),
            DocumentSpec("Bản sao giấy tờ chứng minh quyền sử dụng đất", "copy", 1),
        ],
        time_limits=[TimeLimitSpec("online", "", Decimal("10"), "working_days")],
    )
    return procedure


def test_a_citizen_finds_a_procedure_without_diacritics_and_reads_it(page, catalogue, screenshot):
    page.goto(page.base_url + "/thu-tuc/")
    screenshot("catalogue-list")
    page.fill("input[name=q]", "cap giay phep xay dung")
    page.click("button:has-text('Tìm kiếm')")
    page.wait_for_load_state()
    assert "Tìm thấy" in page.inner_text(".result-count")
    page.click("text=Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ")
    page.wait_for_load_state()
    assert page.url.endswith(f"/thu-tuc/{catalogue.national_code}/")
    body = page.inner_text("main")
    for text in (
        "Thành phần hồ sơ cần chuẩn bị",
        "Bản sao giấy tờ chứng minh quyền sử dụng đất",
        "75.000 đồng",
        "15 ngày làm việc",
        "UBND phường Hoàn Kiếm",
        "Đã tích hợp Cổng Dịch vụ công quốc gia",
    ):
        assert text in body, text
    screenshot("catalogue-detail")


def test_filters_and_empty_state(page, catalogue, screenshot):
    page.goto(page.base_url + "/thu-tuc/?q=khong+ton+tai+thu+tuc+nay")
    assert "Không tìm thấy thủ tục phù hợp" in page.inner_text("main")
    page.goto(page.base_url + "/thu-tuc/")
    page.select_option("select[name=online]", "full")
    page.click("button:has-text('Tìm kiếm')")
    page.wait_for_load_state()
    assert "online=full" in page.url
    rows = page.locator("table.catalogue tbody tr")
    assert rows.count() > 0
    assert rows.filter(has_text="Toàn trình").count() == rows.count()


def test_the_admin_lists_the_catalogue_for_a_superuser(page, catalogue, sysadmin, screenshot):
    # The admin's own login form (the shared `login` fixture clicks the first submit button
    # of the page, which on the portal's login page is the language switch).
    page.goto(page.base_url + "/admin/login/")
    page.fill("input[name=username]", sysadmin.username)
    page.fill("input[name=password]", "mat-khau-thu-nghiem")
    page.click("#login-form input[type=submit]")
    page.wait_for_load_state()
    page.goto(page.base_url + "/admin/procedures/procedure/?q=giay+phep")
    assert "Nhập tệp" in page.text_content(".object-tools")
    assert "Cấp giấy phép xây dựng mới" in page.inner_text("#result_list")
    screenshot("catalogue-admin-list")
    page.goto(page.base_url + f"/admin/procedures/procedure/{catalogue.pk}/change/")
    screenshot("catalogue-admin-change")
    page.goto(page.base_url + "/admin/procedures/procedure/import/")
    screenshot("catalogue-admin-import")


def test_a_commune_procedure_lists_every_commune_and_reads_in_english(page, catalogue, screenshot):
    demo = Procedure.objects.filter(at_commune=True).exclude(pk=catalogue.pk).first()
    page.goto(page.base_url + f"/thu-tuc/{demo.national_code}/")
    page.click("text=Xem danh sách đơn vị")
    assert page.locator(".agencies li").count() == 126
    page.click(".lang button[value=en]")
    page.wait_for_load_state()
    assert "Documents to bring" in page.inner_text("main")
    assert "Where to submit" in page.inner_text("main")
    screenshot("catalogue-detail-en")


def test_at_390px_the_catalogue_table_stays_inside_its_card(page, catalogue, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + "/thu-tuc/")
    # The page itself never scrolls sideways; a table wider than its card (the narrow-screen
    # CSS now wraps this one to fit) would scroll inside its wrapper.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    wrapper = page.locator(".table-scroll").first
    assert wrapper.evaluate("w => getComputedStyle(w).overflowX") == "auto"
    assert wrapper.evaluate("w => w.getBoundingClientRect().right") <= 390
    screenshot("catalogue-list-390")
    page.goto(page.base_url + f"/thu-tuc/{catalogue.national_code}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("catalogue-detail-390")
