from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from procedures.models import Procedure
from tests.factories import FieldFactory

pytestmark = pytest.mark.django_db

LIST = reverse("procedures:list")


def test_the_catalogue_is_public_and_searchable_without_diacritics(client, building_permit):
    response = client.get(LIST, {"q": "cap giay phep xay dung"})
    assert response.status_code == 200
    assert building_permit.name in response.content.decode()
    assert response.context["page"].paginator.count == 1


def test_filters_narrow_the_list(client, make_procedure, building_permit):
    make_procedure("1.000010", "Đăng ký khai sinh", online_mode="none", at_city=True)
    other_field = FieldFactory(code="HOTICH", name="Hộ tịch")
    make_procedure("1.000011", "Đăng ký kết hôn", field=other_field)

    def count(**params):
        return client.get(LIST, params).context["page"].paginator.count

    assert count() == 3
    assert count(online="online") == 1
    assert count(online="partial", dvcqg="yes") == 1
    assert count(dvcqg="no") == 2
    assert count(level="city") == 1
    assert count(field=other_field.pk) == 1
    assert count(agency=building_permit.agencies.get().pk) == 1


def test_unpublished_procedures_stay_out_of_the_public_catalogue(client, make_procedure):
    make_procedure("1.000012", "Thủ tục dự thảo", status=Procedure.Status.DRAFT)
    assert client.get(LIST).context["page"].paginator.count == 0
    assert client.get(reverse("procedures:detail", args=["1.000012"])).status_code == 404


def test_a_tampered_filter_is_ignored_with_a_message_not_an_error(client, building_permit):
    response = client.get(LIST, {"field": "abc", "level": "planet", "page": "x"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1
    assert "không hợp lệ" in response.content.decode()


def test_pagination_and_empty_state(client, make_procedure):
    for n in range(45):
        make_procedure(f"1.1{n:05d}", f"Thủ tục thử nghiệm số {n:02d}")
    page3 = client.get(LIST, {"q": "thu nghiem", "page": 3})
    assert page3.context["page"].number == 3
    assert len(page3.context["page"].object_list) == 5
    assert "q=thu+nghiem&amp;page=2" in page3.content.decode()
    for bad in ("0", "-1", "x"):
        assert client.get(LIST, {"q": "thu nghiem", "page": bad}).context["page"].number == 1
    assert client.get(LIST, {"q": "thu nghiem", "page": 99}).context["page"].number == 3
    empty = client.get(LIST, {"q": "khong co thu tuc nao nhu the nay"})
    assert empty.context["page"].paginator.count == 0
    assert "Không tìm thấy thủ tục phù hợp" in empty.content.decode()


def test_the_list_page_runs_a_bounded_number_of_queries(
    client, make_procedure, django_assert_max_num_queries
):
    for n in range(30):
        make_procedure(f"1.2{n:05d}", f"Cấp phép số {n}", fee=Decimal(1000 * n))
    with django_assert_max_num_queries(6):
        response = client.get(LIST, {"q": "cap phep", "online": "online"})
    assert response.status_code == 200
    with django_assert_max_num_queries(6):
        client.get(LIST, {"page": 2})


def test_the_detail_page_tells_a_citizen_what_to_bring_pay_and_where(client, building_permit):
    response = client.get(reverse("procedures:detail", args=[building_permit.national_code]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Đơn đề nghị cấp giấy phép xây dựng",
        "Bản sao",
        "75.000 đồng",
        "15 ngày làm việc",
        "Trực tuyến qua Cổng DVC Thành phố",  # the online variant
        "10 ngày làm việc",
        "UBND phường Hoàn Kiếm",
        "Đã tích hợp Cổng Dịch vụ công quốc gia",
        "Luật Xây dựng số 50/2014/QH13",
        "Giấy phép xây dựng",
        "Bước 2: Nhận kết quả.",
    ):
        assert text in html, text


def test_the_online_badge_says_not_online_in_full(client, make_procedure):
    procedure = make_procedure("1.000099", "Thủ tục giấy", online_mode="none")
    html = client.get(reverse("procedures:detail", args=[procedure.national_code])).content
    assert '<span class="badge">Không trực tuyến</span>' in html.decode()


def test_an_unknown_or_malformed_code_gives_404(client, building_permit):
    assert client.get(reverse("procedures:detail", args=["9.999999"])).status_code == 404
    assert client.get("/thu-tuc/khong-phai-ma/").status_code == 404


def test_the_page_switches_to_english(client, building_permit):
    client.post(reverse("set_language"), {"language": "en", "next": LIST})
    response = client.get(LIST)
    assert response.status_code == 200
    assert response.wsgi_request.LANGUAGE_CODE == "en"


@time_machine.travel(date(2026, 1, 15), tick=False)
def test_a_procedure_past_its_validity_is_marked_not_hidden(client, make_procedure):
    make_procedure("1.000040", "Thủ tục cấp huyện cũ", at_district=True, valid_to=date(2025, 6, 30))
    html = client.get(LIST).content.decode()
    assert "hết hiệu lực 30/06/2025" in html
    detail = client.get(reverse("procedures:detail", args=["1.000040"])).content.decode()
    assert "hết hiệu lực từ sau ngày 30/06/2025" in detail
