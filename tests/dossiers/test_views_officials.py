"""The officials' pages: intake, worklist, dossier page and actions, printed forms."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from dossiers.models import Dossier
from dossiers.workflow import Status
from procedures.models import Procedure
from tests.dossiers.factories import DossierFactory
from tests.factories import ProcedureFactory

from . import fixtures_desk as fx
from .fixtures_desk import login

procedure_a = fx.procedure_a
received_dossier = fx.received_dossier

pytestmark = pytest.mark.django_db


def intake_post(procedure, agency, **overrides):
    docs = [str(d.pk) for d in procedure.required_documents.filter(mandatory=True)]
    data = {
        "procedure": procedure.pk,
        "agency": agency.pk,
        "channel": "desk",
        "documents": docs,
        "applicant_kind": "person",
        "applicant_name": "Lê Văn Bình",
        "applicant_id_number": "001090001234",
        "applicant_phone": "0987654321",
        "applicant_email": "",
        "applicant_address": "Phố Huế, Hà Nội",
        "decision": "receive",
    }
    data.update(overrides)
    return data


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("dossiers:worklist"))
    assert response.status_code == 302
    assert "/dang-nhap/" in response["Location"]


def test_a_user_without_a_role_is_refused_the_officials_pages(client, outsider):
    login(client, outsider)
    assert client.get(reverse("dossiers:worklist")).status_code == 403
    assert client.get(reverse("dossiers:intake")).status_code == 403


def test_a_specialist_cannot_open_the_intake_form(client, specialist_a):
    login(client, specialist_a)
    assert client.get(reverse("dossiers:intake")).status_code == 403


def test_intake_lists_the_agencys_procedures_and_their_documents(client, desk_a, procedure_a):
    login(client, desk_a)
    response = client.get(reverse("dossiers:intake"), {"q": "khai sinh"})
    assert "Đăng ký khai sinh" in response.content.decode()
    response = client.get(reverse("dossiers:intake"), {"thu_tuc": procedure_a.pk})
    page = response.content.decode()
    assert "Giấy chứng sinh" in page and "Tiếp nhận" in page and "Hướng dẫn bổ sung" in page


def test_intake_search_ignores_diacritics(client, desk_a, procedure_a):
    login(client, desk_a)
    from procedures.search import search_text_for

    procedure_a.search_text = search_text_for(name="Đăng ký khai sinh", national_code="1.001193")
    procedure_a.save()
    response = client.get(reverse("dossiers:intake"), {"q": "dang ky khai"})
    assert "Đăng ký khai sinh" in response.content.decode()


def test_receiving_a_complete_dossier_gives_a_code_and_offers_form_01(
    client, desk_a, agency_a, procedure_a
):
    login(client, desk_a)
    response = client.post(reverse("dossiers:intake"), intake_post(procedure_a, agency_a))
    dossier = Dossier.objects.get()
    assert dossier.status == Status.RECEIVED and dossier.code.startswith("000.01.01.H26-")
    assert response.status_code == 302 and response["Location"].endswith("?in=01")
    page = client.get(response["Location"]).content.decode()
    assert dossier.code in page and "Mẫu 01" in page


def test_a_missing_mandatory_document_blocks_receipt_with_a_clear_message(
    client, desk_a, agency_a, procedure_a
):
    login(client, desk_a)
    response = client.post(
        reverse("dossiers:intake"), intake_post(procedure_a, agency_a, documents=[])
    )
    assert response.status_code == 400
    assert "Hồ sơ còn thiếu giấy tờ bắt buộc" in response.content.decode()
    assert not Dossier.objects.exists()


def test_bad_phone_and_id_numbers_are_explained(client, desk_a, agency_a, procedure_a):
    login(client, desk_a)
    response = client.post(
        reverse("dossiers:intake"),
        intake_post(procedure_a, agency_a, applicant_phone="12ab", applicant_id_number="123"),
    )
    page = response.content.decode()
    assert "Số điện thoại không hợp lệ" in page and "12 chữ số" in page


def test_guiding_an_incomplete_dossier_lists_every_missing_document_on_form_02(
    client, desk_a, agency_a, procedure_a
):
    login(client, desk_a)
    response = client.post(
        reverse("dossiers:intake"),
        intake_post(
            procedure_a, agency_a, documents=[], decision="guide", missing="Ảnh 4x6 của mẹ"
        ),
    )
    dossier = Dossier.objects.get()
    assert dossier.status == Status.INCOMPLETE and dossier.code is None
    content = dossier.supplements.get().content
    assert "Tờ khai đăng ký khai sinh" in content and "Giấy chứng sinh" in content
    assert "Ảnh 4x6 của mẹ" in content
    assert response["Location"].endswith("?in=02")


def test_refusing_intake_needs_a_reason(client, desk_a, agency_a, procedure_a):
    login(client, desk_a)
    response = client.post(
        reverse("dossiers:intake"), intake_post(procedure_a, agency_a, decision="refuse")
    )
    assert "Cần ghi rõ lý do từ chối tiếp nhận" in response.content.decode()
    response = client.post(
        reverse("dossiers:intake"),
        intake_post(procedure_a, agency_a, decision="refuse", reason="Không thuộc thẩm quyền"),
    )
    assert Dossier.objects.get().status == Status.INTAKE_REFUSED
    assert response["Location"].endswith("?in=03")


def test_the_worklist_shows_only_the_agencys_dossiers_soonest_due_first(
    client, desk_a, agency_a, agency_b
):
    mine_late = DossierFactory(agency=agency_a, overdue=True)
    mine = DossierFactory(agency=agency_a)
    theirs = DossierFactory(agency=agency_b)
    login(client, desk_a)
    page = client.get(reverse("dossiers:worklist")).content.decode()
    assert mine.code in page and mine_late.code in page and theirs.code not in page
    assert page.index(mine_late.code) < page.index(mine.code)
    assert "Quá hạn" in page


def test_the_worklist_filters_overdue_dossiers(client, desk_a, agency_a):
    late = DossierFactory(agency=agency_a, overdue=True)
    fine = DossierFactory(agency=agency_a)
    login(client, desk_a)
    page = client.get(reverse("dossiers:worklist"), {"qua_han": "on"}).content.decode()
    assert late.code in page and fine.code not in page


def test_a_bad_filter_value_is_a_message_not_an_error(client, desk_a):
    login(client, desk_a)
    response = client.get(reverse("dossiers:worklist"), {"sap_den_han": "abc", "page": "zz"})
    assert response.status_code == 200


def test_the_worklist_runs_a_bounded_number_of_queries(
    client, desk_a, agency_a, django_assert_max_num_queries
):
    DossierFactory.create_batch(30, agency=agency_a)
    for n in range(20):  # the filter lists must not cost a query per procedure
        ProcedureFactory(agencies=[agency_a], name=f"Thủ tục lọc {n}")
    login(client, desk_a)
    client.get(reverse("dossiers:worklist"))  # warm the session
    # 12 + 1: the calendar's overrides, read once to count working days left (issue 11).
    with django_assert_max_num_queries(13) as captured:
        response = client.get(reverse("dossiers:worklist"), {"page": 2})
    assert response.status_code == 200
    assert not any("COUNT(" in q["sql"] for q in captured.captured_queries)


def test_pages_are_found_without_counting_the_whole_list(client, desk_a, agency_a, monkeypatch):
    from dossiers import views_officials

    monkeypatch.setattr(views_officials, "PAGE_SIZE", 2)
    DossierFactory.create_batch(5, agency=agency_a)
    login(client, desk_a)
    first = client.get(reverse("dossiers:worklist")).content.decode()
    assert "Hồ sơ 1–2, còn tiếp ở trang sau" in first and "Trang 1" in first
    last = client.get(reverse("dossiers:worklist"), {"page": 3}).content.decode()
    assert "Tổng cộng 5 hồ sơ" in last and 'rel="next"' not in last
    assert 'rel="prev"' in last


def test_a_far_page_number_is_clamped_not_an_error(client, desk_a, agency_a):
    DossierFactory(agency=agency_a)
    login(client, desk_a)
    response = client.get(reverse("dossiers:worklist"), {"page": 10**9})
    assert response.status_code == 200


def test_the_dossier_page_opens_by_code_or_by_key_and_hides_other_agencies(
    client, desk_a, desk_b, received_dossier
):
    login(client, desk_a)
    by_code = client.get(reverse("dossiers:detail", args=[received_dossier.code]))
    by_pk = client.get(reverse("dossiers:detail", args=[received_dossier.pk]))
    assert by_code.status_code == by_pk.status_code == 200
    page = by_code.content.decode()
    assert (
        "Thứ Bảy" in page and "09/01/2021" in page and "5 ngày làm việc" in page
    )  # the deadline explanation
    login(client, desk_b)
    assert client.get(reverse("dossiers:detail", args=[received_dossier.code])).status_code == 404


def test_the_dossier_page_offers_only_the_actions_of_the_users_role(
    client, desk_a, specialist_a, received_dossier
):
    login(client, specialist_a)
    page = client.get(reverse("dossiers:detail", args=[received_dossier.pk])).content.decode()
    assert "Chuyển xử lý" in page and "Trả kết quả</button>" not in page
    login(client, desk_a)
    page = client.get(reverse("dossiers:detail", args=[received_dossier.pk])).content.decode()
    # The desk is not offered processing (the hint below names who does it).
    assert "Chuyển xử lý</summary>" not in page and "Công dân rút hồ sơ</summary>" in page


@time_machine.travel(datetime(2021, 1, 11, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
def test_an_action_goes_through_the_service_and_is_recorded(client, specialist_a, received_dossier):
    login(client, specialist_a)
    url = reverse("dossiers:act", args=[received_dossier.pk, "request_supplement"])
    response = client.post(url, {"request_supplement-content": "Bản sao sổ hộ khẩu"})
    assert response.status_code == 302
    received_dossier.refresh_from_db()
    assert received_dossier.status == Status.SUPPLEMENT_REQUESTED
    assert received_dossier.events.filter(action="request_supplement", actor=specialist_a).exists()


def test_a_refused_transition_is_a_message_never_a_500(client, specialist_a, received_dossier):
    login(client, specialist_a)
    url = reverse("dossiers:act", args=[received_dossier.pk, "return_result"])
    response = client.post(url)
    # The page comes back with the message (and any typed text): a 409, not a 500.
    assert response.status_code == 409
    assert 'class="msg-error"' in response.content.decode()
    received_dossier.refresh_from_db()
    assert received_dossier.status == Status.RECEIVED


def test_an_unknown_action_or_missing_field_is_a_message(client, specialist_a, received_dossier):
    login(client, specialist_a)
    r1 = client.post(reverse("dossiers:act", args=[received_dossier.pk, "explode"]), follow=True)
    r2 = client.post(
        reverse("dossiers:act", args=[received_dossier.pk, "request_supplement"]), follow=True
    )
    assert "Thao tác không tồn tại" in r1.content.decode()
    assert "Nội dung yêu cầu bổ sung" in r2.content.decode()


def test_actions_on_another_agencys_dossier_are_not_found(client, desk_b, received_dossier):
    login(client, desk_b)
    url = reverse("dossiers:act", args=[received_dossier.pk, "withdraw"])
    assert client.post(url).status_code == 404


def test_printed_forms_are_pdfs_for_visible_dossiers_only(client, desk_a, desk_b, received_dossier):
    login(client, desk_a)
    response = client.get(reverse("dossiers:form_pdf", args=[received_dossier.pk, "01"]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert (
        client.get(reverse("dossiers:form_pdf", args=[received_dossier.pk, "09"])).status_code
        == 404
    )
    login(client, desk_b)
    assert (
        client.get(reverse("dossiers:form_pdf", args=[received_dossier.pk, "01"])).status_code
        == 404
    )


def test_the_ledger_prints_the_agencys_dossiers_of_a_period(client, desk_a, received_dossier):
    login(client, desk_a)
    response = client.get(reverse("dossiers:ledger"), {"tu": "2021-01-01", "den": "2021-01-31"})
    assert response["Content-Type"] == "application/pdf"
    bad = client.get(reverse("dossiers:ledger"), {"tu": "2021-13-01"})
    assert bad.status_code == 302


def test_a_second_apology_is_neither_offered_nor_accepted(client, specialist_a, agency_a):
    dossier = DossierFactory(agency=agency_a, extended=True, processing=True)
    login(client, specialist_a)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "Xin lỗi và hẹn lại (Mẫu 04)</summary>" not in page
    due = dossier.due_at + timedelta(days=7)
    response = client.post(
        reverse("dossiers:act", args=[dossier.pk, "apologize"]),
        {
            "apologize-reason": "Chậm xác minh",
            "apologize-new_due_date": f"{due:%Y-%m-%d}",
            "apologize-new_due_time": "17:00",
        },
        follow=True,
    )
    assert "một lần" in response.content.decode()


def test_an_official_of_two_agencies_chooses_where_the_dossier_is_received(
    client, desk_a, agency_a, agency_b, procedure_a
):
    from procedures.models import Membership

    Membership.objects.create(user=desk_a, agency=agency_b, role=Membership.Role.DESK)
    procedure_a.agencies.add(agency_b)
    login(client, desk_a)
    page = client.get(reverse("dossiers:intake"), {"thu_tuc": procedure_a.pk}).content.decode()
    assert '<select name="agency"' in page and "UBND xã Sóc Sơn" in page
    client.post(reverse("dossiers:intake"), intake_post(procedure_a, agency_b))
    assert Dossier.objects.get().code.startswith(agency_b.identifier_code)


def test_an_official_cannot_receive_for_an_agency_not_theirs(
    client, desk_a, agency_a, agency_b, procedure_a
):
    procedure_a.agencies.add(agency_b)
    login(client, desk_a)
    response = client.post(reverse("dossiers:intake"), intake_post(procedure_a, agency_b))
    # Not a choice of the form: refused like any bad input (400), nothing created.
    assert response.status_code == 400 and not Dossier.objects.exists()


def test_form_02_of_an_intake_guidance_prints_every_missing_item(
    client, desk_a, agency_a, procedure_a
):
    import io

    from pypdf import PdfReader

    login(client, desk_a)
    client.post(
        reverse("dossiers:intake"),
        intake_post(procedure_a, agency_a, documents=[], decision="guide", missing="Ảnh 4x6"),
    )
    dossier = Dossier.objects.get()
    response = client.get(reverse("dossiers:form_pdf", args=[dossier.pk, "02"]))
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split()
    )
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Giấy chứng sinh" in text and "Ảnh 4x6" in text
    # No code yet: no receipt (form 01) can be printed.
    assert client.get(reverse("dossiers:form_pdf", args=[dossier.pk, "01"])).status_code == 404


def test_the_dossier_page_runs_a_bounded_number_of_queries(
    client, specialist_a, received_dossier, django_assert_max_num_queries
):
    login(client, specialist_a)
    url = reverse("dossiers:detail", args=[received_dossier.code])
    client.get(url)
    # 16, plus the files panel and the messages to the applicant (issue 13) and the
    # calendar's overrides, read once to count working days left (issue 11).
    with django_assert_max_num_queries(19):
        assert client.get(url).status_code == 200


def test_an_inspector_reads_every_agency_but_acts_on_none(client, inspector, received_dossier):
    login(client, inspector)
    page = client.get(reverse("dossiers:detail", args=[received_dossier.pk])).content.decode()
    assert received_dossier.code in page
    assert '<details class="action' not in page
    assert "Bạn không có thao tác nào ở bước này" in page  # and who acts next instead
    assert client.get(reverse("dossiers:intake")).status_code == 403


def test_the_dossier_page_shows_its_dvcqg_sync_state(client, desk_a, received_dossier):
    login(client, desk_a)
    page = client.get(reverse("dossiers:detail", args=[received_dossier.code])).content.decode()
    assert "Đồng bộ Cổng DVCQG" in page
    received_dossier.refresh_from_db()
    assert received_dossier.get_sync_state_display() in page


def test_a_garbled_agency_or_date_for_the_ledger_is_a_clear_message(client, desk_a):
    login(client, desk_a)
    for params in ({"co_quan": "abc"}, {"co_quan": "1e3"}, {"tu": "abc"}):
        response = client.get(reverse("dossiers:ledger"), params, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == reverse("dossiers:worklist")
    page = client.get(reverse("dossiers:ledger"), {"co_quan": "abc"}, follow=True)
    assert "Cơ quan không hợp lệ" in page.content.decode()
    page = client.get(reverse("dossiers:ledger"), {"tu": "abc"}, follow=True)
    assert "Ngày không hợp lệ (dạng YYYY-MM-DD)" in page.content.decode()


def test_a_page_past_the_end_shows_the_last_page_with_a_message(
    client, desk_a, agency_a, monkeypatch
):
    from dossiers import views_officials

    monkeypatch.setattr(views_officials, "PAGE_SIZE", 2)
    batch = DossierFactory.create_batch(5, agency=agency_a)
    login(client, desk_a)
    page = client.get(reverse("dossiers:worklist"), {"page": 9999}).content.decode()
    assert "Không có trang 9999; đang hiển thị trang cuối (trang 3)" in page
    assert "Tổng cộng 5 hồ sơ" in page and "Trang 3" in page
    assert sum(d.code in page for d in batch) == 1


def test_a_garbled_page_number_is_a_message(client, desk_a):
    login(client, desk_a)
    page = client.get(reverse("dossiers:worklist"), {"page": "zz"}).content.decode()
    assert "Số trang không hợp lệ" in page


APOLOGY_SUMMARY = "Xin lỗi và hẹn lại (Mẫu 04)</summary>"


@pytest.mark.parametrize(
    ("now", "offered"),
    [
        (fx.hanoi(2021, 1, 14, 23, 30), True),  # the eve of the due date, whatever the hour
        (fx.hanoi(2021, 1, 15, 7, 0), False),  # the due date itself, before the due time
        (fx.hanoi(2021, 1, 20, 9, 0), False),  # overdue
    ],
)
def test_the_apology_is_offered_only_while_it_can_succeed(
    client, specialist_a, received_dossier, now, offered
):
    login(client, specialist_a)
    with time_machine.travel(now, tick=False):
        page = client.get(reverse("dossiers:detail", args=[received_dossier.pk])).content.decode()
    assert (APOLOGY_SUMMARY in page) is offered
    assert ('class="muted small apology-note"' in page) is not offered


def test_a_form_prints_only_for_a_dossier_that_has_what_it_prints(
    client, desk_a, agency_a, received_dossier
):
    login(client, desk_a)

    def status(dossier, number):
        return client.get(reverse("dossiers:form_pdf", args=[dossier.pk, number])).status_code

    assert [status(received_dossier, n) for n in ("01", "02", "03", "04", "05")] == [
        200,
        404,
        404,
        404,
        200,
    ]
    assert status(DossierFactory(agency=agency_a, extended=True, processing=True), "04") == 200
    assert status(DossierFactory(agency=agency_a, refused=True), "03") == 200
    received_dossier.supplements.create(
        requested_at=received_dossier.received_at, content="Bản sao sổ hộ khẩu"
    )
    assert status(received_dossier, "02") == 200


def test_opening_an_action_url_leads_back_to_the_dossier_with_a_message(
    client, desk_a, desk_b, received_dossier
):
    login(client, desk_a)
    url = reverse("dossiers:act", args=[received_dossier.pk, "withdraw"])
    response = client.get(url, follow=True)
    assert response.redirect_chain == [
        (reverse("dossiers:detail", args=[received_dossier.code]), 302)
    ]
    assert "Hãy chọn thao tác" in response.content.decode()
    received_dossier.refresh_from_db()
    assert received_dossier.status == Status.RECEIVED
    login(client, desk_b)
    assert client.get(url).status_code == 404


def test_procedure_and_field_lists_are_in_vietnamese_alphabetical_order(
    client, desk_a, agency_a, procedure_a
):
    from procedures.models import Field

    names = ["Chứng thực bản sao từ bản chính", "Cấp bản sao trích lục", "Dịch vụ bưu chính"]
    for n, name in enumerate(names):
        field = Field.objects.create(name=name.replace("Dịch vụ", "Đo đạc"), code=f"LV{n}")
        ProcedureFactory(name=name, agencies=[agency_a], field=field)
        DossierFactory(agency=agency_a, procedure=Procedure.objects.get(name=name))
    expected = ["Cấp bản sao", "Chứng thực bản sao", "Đăng ký khai sinh", "Dịch vụ bưu chính"]
    login(client, desk_a)
    for url in (reverse("dossiers:intake"), reverse("dossiers:worklist")):
        page = client.get(url).content.decode()
        positions = [page.index(f"– {name}") for name in expected]
        assert positions == sorted(positions), url
    page = client.get(reverse("dossiers:worklist")).content.decode()
    fields = ["Cấp bản sao", "Chứng thực bản sao", "Đo đạc bưu chính"]
    positions = [page.index(f">{name}") for name in fields]
    assert positions == sorted(positions)


def test_an_invalid_worklist_filter_is_named_and_the_valid_ones_still_apply(
    client, desk_a, agency_a
):
    late = DossierFactory(agency=agency_a, overdue=True)
    fine = DossierFactory(agency=agency_a)
    login(client, desk_a)
    page = client.get(
        reverse("dossiers:worklist"), {"sap_den_han": "abc", "qua_han": "on"}
    ).content.decode()
    assert "Đã bỏ qua điều kiện lọc không hợp lệ – Đến hạn trong (ngày)" in page
    assert late.code in page and fine.code not in page


def test_a_garbled_procedure_on_the_intake_page_is_a_message(client, desk_a, procedure_a):
    login(client, desk_a)
    page = client.get(reverse("dossiers:intake"), {"thu_tuc": "abc"}).content.decode()
    assert "Mã thủ tục đã chọn không hợp lệ" in page


@pytest.mark.parametrize("role", ["desk_a", "specialist_a", "leader_a", "inspector", "sysadmin"])
def test_the_worklist_is_a_landing_page_for_every_role(client, request, role):
    user = request.getfixturevalue(role)
    user.save()
    response = client.post(
        "/dang-nhap/?next=/ho-so/",
        {"username": user.username, "password": "mat-khau-thu-nghiem", "next": "/ho-so/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith("/ho-so/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Chưa có hồ sơ nào đang mở trong phạm vi bạn được xem" in page
    # The page's own button (base.html's menu is the lead's).
    offers_intake = f'class="btn primary" href="{reverse("dossiers:intake")}"' in page
    assert offers_intake is (role in {"desk_a", "leader_a", "sysadmin"})
