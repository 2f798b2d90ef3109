"""An administrator corrects the working calendar in the admin and sees the effective year."""

from datetime import date

from dossiers.calendar_store import get_calendar
from dossiers.models import CalendarDay


def test_an_administrator_adds_a_day_off_and_sees_it_in_the_effective_calendar(
    page, admin_user, screenshot
):
    page.goto(page.base_url + "/admin/login/")
    page.fill("input[name=username]", admin_user.username)
    page.fill("input[name=password]", "password")
    page.click("input[type=submit]")
    page.goto(page.base_url + "/admin/dossiers/calendarday/add/")
    page.fill("input[name=date]", "04/12/2026")
    page.select_option("select[name=kind]", "day_off")
    page.fill("input[name=name]", "Nghỉ theo quyết định của Thành phố")
    page.fill("input[name=decision]", "Quyết định 123/QĐ-UBND ngày 01/12/2026")
    screenshot("calendar_admin_add")
    page.click("input[name=_save]")
    page.wait_for_load_state()
    assert CalendarDay.objects.filter(date=date(2026, 12, 4), kind="day_off").exists()
    assert not get_calendar().is_working_day(date(2026, 12, 4))
    screenshot("calendar_admin_list")

    page.click("text=Xem lịch làm việc hiệu lực")
    page.select_option("select[name=year]", "2026")
    page.wait_for_load_state()
    body = page.inner_text("#content-main")
    assert "Ngày Văn hóa Việt Nam" in body
    assert "Quyết định 123/QĐ-UBND" in body
    assert "22/08/2026" in body
    screenshot("calendar_admin_effective_2026")
