"""Issue 13 done-when: a citizen's online dossier from submission to the downloaded result.

The citizen submits online with two documents → the desk accepts it and the specialist asks
for a supplement → the citizen uploads it → processing → the electronic result is attached
→ the desk asks for the fee when the result is returned (request_fee_on_return, practice);
the download waits for it → the citizen pays through the fake PayGov → downloads the
result; the desk then returns it. The fake SMS gateway and the e-mail outbox hold the
messages in order, each once.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from dossiers.models import Dossier, DossierFile, Payment
from dossiers.notifications import delivery
from dossiers.notifications.models import Notification
from dossiers.workflow import Status
from tests.e2e.conftest import own_cache
from tests.factories import ProcedureFactory
from tests.fake_paygov import FakePayGov
from tests.fake_sms import TOKEN as SMS_TOKEN
from tests.fake_sms import FakeSMSGateway

from .test_dossier_flow import act, sign_in

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=HANOI)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
RESULT = b"%PDF-1.7\n% ket qua dien tu: giay khai sinh\n%%EOF\n"
SECRET = "5678"


@pytest.fixture
def gateway(settings, tmp_path):
    own_cache(settings, "e2e-online-flow")
    settings.STORAGES = {
        **settings.STORAGES,
        "dossier_files": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files"), "base_url": None},
        },
    }
    settings.PAYGOV_SECRET = "bi-mat-chung-e2e"
    settings.PAYGOV_MERCHANT = "HANOI-CCHC"
    fake = FakePayGov(secret=settings.PAYGOV_SECRET).start()
    settings.PAYGOV_URL = fake.url
    with time_machine.travel(MONDAY, tick=True):
        yield fake
    fake.stop()


@pytest.fixture
def procedure(agency_a):
    proc = ProcedureFactory(
        name="Đăng ký khai sinh",
        national_code="1.001193",
        online_mode="full",
        fee=Decimal("8000"),
        agencies=[agency_a],
    )
    proc.required_documents.create(name="Tờ khai đăng ký khai sinh", order=1)
    proc.required_documents.create(name="Giấy chứng sinh", form="copy", order=2)
    return proc


def test_online_submission_supplement_payment_and_electronic_result(
    page, browser, gateway, procedure, leader_a, tmp_path, settings
):
    sms = FakeSMSGateway().start()
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN = sms.url, SMS_TOKEN
    mail.outbox = []
    for name, content in (("to-khai.pdf", PDF), ("chung-sinh.pdf", PDF), ("bo-sung.pdf", PDF)):
        (tmp_path / name).write_bytes(content)
    (tmp_path / "ket-qua.pdf").write_bytes(RESULT)
    citizen_context = browser.new_context(
        locale="vi-VN", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    citizen = citizen_context.new_page()
    citizen.set_default_timeout(15000)
    base = page.base_url

    # 1. The citizen finds the procedure and submits online with two documents.
    citizen.goto(f"{base}/thu-tuc/{procedure.national_code}/")
    citizen.click("text=Nộp hồ sơ trực tuyến")
    citizen.wait_for_selector("h1:text('Nộp hồ sơ trực tuyến')")
    citizen.fill("input[name=name]", "Nguyễn Văn Minh")
    citizen.fill("input[name=id_number]", "001090001234")
    citizen.fill("input[name=phone]", "0912345678")
    citizen.fill("input[name=email]", "minh@example.vn")
    citizen.fill("input[name=address]", "Số 5 phố Hàng Bạc, phường Hoàn Kiếm")
    files = citizen.locator("input[type=file]")
    assert files.count() == 2
    files.nth(0).set_input_files(str(tmp_path / "to-khai.pdf"))
    files.nth(1).set_input_files(str(tmp_path / "chung-sinh.pdf"))
    citizen.screenshot(path=str(_artifact("online-submit-1280")), full_page=True)
    citizen.set_viewport_size({"width": 390, "height": 844})
    citizen.screenshot(path=str(_artifact("online-submit-390")), full_page=True)
    width = citizen.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the submission page scrolls sideways at 390 px ({width} px)"
    citizen.set_viewport_size({"width": 1280, "height": 900})
    citizen.click("button:text('Nộp hồ sơ')")
    citizen.wait_for_selector("[data-testid=reference]")
    reference = citizen.inner_text("[data-testid=reference]")
    assert citizen.inner_text("[data-testid=secret]") == SECRET
    dossier = Dossier.objects.get(online_submission__reference=reference)
    assert dossier.status == Status.SUBMITTED
    assert dossier.files.filter(kind=DossierFile.Kind.APPLICANT).count() == 2

    # 2. The desk accepts it; the specialist asks for a supplement.
    sign_in(page, leader_a)
    page.goto(f"{base}/ho-so/xem/{dossier.pk}/")
    assert page.locator("#tep-ho-so a", has_text="Giấy chứng sinh").count() == 1
    act(page, "Tiếp nhận")
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED and dossier.code
    act(page, "Chuyển xử lý")
    act(
        page,
        "Yêu cầu bổ sung (Mẫu 02)",
        {"request_supplement-content": "Bổ sung bản sao giấy chứng sinh rõ nét."},
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED

    # 3. The citizen uploads the supplement online (the proof is still in the cookie).
    citizen.goto(f"{base}/ho-so/truc-tuyen/ho-so-cua-toi/")
    assert "giấy chứng sinh rõ nét" in citizen.content()
    citizen.set_input_files("input[name=file_1]", str(tmp_path / "bo-sung.pdf"))
    citizen.click("button:text('Gửi hồ sơ bổ sung')")
    citizen.wait_for_load_state()
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert dossier.events.filter(action="receive_supplement").count() == 1

    # 4. Processing ends with the result, and the electronic result is attached.
    page.goto(f"{base}/ho-so/xem/{dossier.code}/")
    act(page, "Có kết quả")
    panel = page.locator("#tep-ho-so details", has=page.locator("summary", has_text="Đính kèm"))
    panel.locator("summary").click()
    panel.locator("select[name=kind]").select_option("result")
    panel.locator("input[name=title]").fill("Giấy khai sinh (bản điện tử)")
    panel.locator("input[name=file]").set_input_files(str(tmp_path / "ket-qua.pdf"))
    panel.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert dossier.files.filter(kind=DossierFile.Kind.RESULT).count() == 1

    # 5. The desk asks for the fee when the result is returned; the status stays.
    details = page.locator(
        "details", has=page.locator("summary", has_text="nộp phí, lệ phí trực tuyến")
    )
    details.locator("summary").click()
    details.locator("input[name=amount]").fill("8000")
    details.locator("button[type=submit]").click()
    page.wait_for_load_state()
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY and dossier.fee_amount == 8000
    assert dossier.fee_paid_at is None

    # 6. The citizen sees the result waiting for the fee; a download attempt says why.
    citizen.goto(f"{base}/ho-so/truc-tuyen/ho-so-cua-toi/")
    assert citizen.locator("[data-testid=result-held]").is_visible()
    assert citizen.locator("[data-testid=result-link]").count() == 0
    result_file = dossier.files.get(kind=DossierFile.Kind.RESULT)
    citizen.goto(f"{base}/ho-so/truc-tuyen/ho-so-cua-toi/tep/{result_file.pk}/")
    assert "/ho-so-cua-toi/" in citizen.url
    assert citizen.locator("ul.messages li", has_text="nộp phí").count() == 1
    citizen.screenshot(path=str(_artifact("online-dossier-citizen-fee-due")), full_page=True)
    _narrow(citizen, "online-dossier-citizen-fee-due-390")

    # 7. The citizen pays through the (fake) gateway and sees the receipt.
    citizen.click("[data-testid=pay]")
    citizen.wait_for_selector("#confirm")
    assert citizen.inner_text("#amount") == "8000"
    citizen.click("#confirm")
    citizen.wait_for_selector("[data-testid=txn]")
    citizen.screenshot(path=str(_artifact("online-receipt")), full_page=True)
    _narrow(citizen, "online-receipt-390")
    payment = Payment.objects.get(dossier=dossier)
    assert payment.state == Payment.State.PAID
    assert citizen.inner_text("[data-testid=txn]") == payment.gateway_txn
    # The server notice paid it and the browser's return changed nothing more.
    assert gateway.notices == [200]
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY and dossier.fee_paid_at
    assert dossier.events.filter(action="record_fee_paid_on_return").count() == 1

    # 8. The citizen downloads the result.
    citizen.goto(f"{base}/ho-so/truc-tuyen/ho-so-cua-toi/")
    citizen.screenshot(path=str(_artifact("online-dossier-citizen")), full_page=True)
    with citizen.expect_download() as info:
        citizen.click("[data-testid=result-link]")
    saved = tmp_path / "downloaded.pdf"
    info.value.save_as(str(saved))
    assert saved.read_bytes() == RESULT

    # 9. The desk returns the result (the fee is paid, so the return is offered).
    page.goto(f"{base}/ho-so/xem/{dossier.code}/")
    act(page, "Trả kết quả")
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED

    events = list(dossier.events.order_by("at", "id").values_list("action", flat=True))
    assert events == [
        "submit_online",
        "add_files",
        "accept",
        "start_processing",
        "request_supplement",
        "add_files",
        "receive_supplement",
        "mark_result_ready",
        "add_files",
        "request_fee_on_return",
        "record_fee_paid_on_return",
        "return_result",
    ]
    # 10. The applicant was told at each step that needs them, by SMS and e-mail, in order,
    # each message once (the sweep delivers whatever the after-commit kick left pending).
    delivery.deliver_pending(dossier_id=dossier.pk)
    delivery.deliver_pending(dossier_id=dossier.pk)  # a second sweep sends nothing again
    told = ["receipt", "supplement", "result", "fee"]
    for channel in ("sms", "email"):
        rows = dossier.notifications.filter(channel=channel).order_by("event__at", "event_id")
        assert [n.kind for n in rows] == told, channel
        assert {n.state for n in rows} == {Notification.State.SENT}, channel
    assert [m["to"] for m in sms.messages] == ["+84912345678"] * len(told)
    assert sms.duplicates == 0
    assert dossier.code in sms.messages[0]["text"]
    ours = [m for m in mail.outbox if m.to == ["minh@example.vn"]]
    assert len(ours) == len(told)
    # What arrived is what each row says, in the order of the events.
    rows = dossier.notifications.order_by("event__at", "event_id")
    assert [m["text"] for m in sms.messages] == [n.body for n in rows.filter(channel="sms")]
    assert [m.subject for m in ours] == [n.subject for n in rows.filter(channel="email")]
    assert dossier.code in ours[0].body
    # The dossier page with what was sent and its delivery state.
    page.goto(f"{base}/ho-so/xem/{dossier.code}/")
    page.screenshot(path=str(_artifact("online-dossier-official")), full_page=True)
    sms.stop()
    citizen_context.close()


def _narrow(page, name: str) -> None:
    """A screenshot at 390 px; the page must not scroll sideways there."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(_artifact(name)), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert width <= 390, f"{name}: the page scrolls sideways at 390 px ({width} px)"


def _artifact(name: str):
    from .conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"
