"""The dossier page's "Tin nhắn đã gửi" and the worklist's reminder banner, in a browser, at
1280 and 390 px (issue 13 screenshots)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dossiers import services
from dossiers.notifications import delivery
from dossiers.notifications.reminders import reminders_run
from tests.factories import ProcedureFactory
from tests.fake_sms import TOKEN, FakeSMSGateway

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=HANOI)


@pytest.fixture(autouse=True)
def frozen_monday():
    with time_machine.travel(MONDAY, tick=True):
        yield


@pytest.mark.parametrize("width", [1280, 390])
def test_the_dossier_page_shows_each_message_and_the_worklist_the_reminder(
    page, screenshot, login, desk_a, leader_a, agency_a, settings, width
):
    gateway = FakeSMSGateway().start()
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN = gateway.url, TOKEN
    procedure = ProcedureFactory(name="Đăng ký khai sinh", agencies=[agency_a])
    applicant = {"name": "Lê Thị Mai", "phone": "0987 654 321", "email": "mai@example.vn"}
    dossier = services.dossier_receive(
        actor=desk_a,
        procedure=procedure,
        agency=agency_a,
        channel="desk",
        applicant=applicant,
        documents=[],
    )
    delivery.deliver_pending(dossier_id=dossier.pk)  # the receipt: SMS and e-mail sent
    gateway.stop()  # the result's SMS waits for the gateway; its e-mail goes
    services.dossier_transition(actor=leader_a, dossier_id=dossier.pk, action="start_processing")
    services.dossier_transition(actor=leader_a, dossier_id=dossier.pk, action="mark_result_ready")
    delivery.deliver_pending(dossier_id=dossier.pk)
    leader_a.email = "lanhdao@hanoi.gov.vn"
    leader_a.save()
    from tests.dossiers.factories import DossierFactory

    DossierFactory(agency=agency_a, procedure=procedure, overdue=True)
    reminders_run()

    page.set_viewport_size({"width": width, "height": 900})
    login(leader_a)
    page.goto(f"{page.base_url}/ho-so/xem/{dossier.code}/")
    section = page.locator("#tin-nhan")
    section.scroll_into_view_if_needed()
    assert section.locator("tr.notification").count() == 4
    assert section.locator("tr.state-pending").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(f"notify-dossier-page-{width}")
    page.goto(f"{page.base_url}/ho-so/")
    assert page.locator("#nhac-viec").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(f"notify-worklist-reminder-{width}")
