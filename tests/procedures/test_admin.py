import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from procedures.models import Procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, sysadmin):
    client.force_login(sysadmin)
    return client


def test_admin_search_ignores_diacritics(admin_client, building_permit, make_procedure):
    make_procedure("1.000020", "Đăng ký khai sinh")
    url = reverse("admin:procedures_procedure_changelist")
    response = admin_client.get(url, {"q": "giay phep xay dung"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [building_permit]


def test_admin_edit_updates_search_text_and_history_user(admin_client, building_permit, sysadmin):
    url = reverse("admin:procedures_procedure_change", args=[building_permit.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "agencies"}
    data.update(
        name="Cấp giấy phép sửa chữa nhà ở",
        agencies=[a.pk for a in building_permit.agencies.all()],
        **{
            "time_limits-TOTAL_FORMS": 0,
            "time_limits-INITIAL_FORMS": 0,
            "required_documents-TOTAL_FORMS": 0,
            "required_documents-INITIAL_FORMS": 0,
        },
    )
    for key in ("at_city", "at_district", "dvcqg_integrated"):
        if not data.get(key):
            data.pop(key, None)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    building_permit.refresh_from_db()
    assert building_permit.search_text.startswith("cap giay phep sua chua nha o")
    assert building_permit.history.first().history_user == sysadmin
    history = admin_client.get(
        reverse("admin:procedures_procedure_history", args=[building_permit.pk])
    )
    assert history.status_code == 200


def test_export_button_exports_the_filtered_changelist(
    admin_client, building_permit, make_procedure
):
    make_procedure("1.000021", "Đăng ký khai sinh", online_mode="full")
    url = reverse("admin:procedures_procedure_export", args=["csv"])
    response = admin_client.get(url, {"online_mode__exact": "full"})
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "Đăng ký khai sinh" in text and building_permit.name not in text
    xlsx = admin_client.get(reverse("admin:procedures_procedure_export", args=["xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_import_page_shows_every_bad_row_and_writes_nothing(admin_client):
    url = reverse("admin:procedures_procedure_import")
    assert "national_code" in admin_client.get(url).content.decode()
    content = (
        "national_code,name,field_code,field_name,time_limit_value\n"
        "1.000030,Đăng ký khai sinh,HOTICH,Hộ tịch,1\n"
        "1.000031,Đăng ký kết hôn,HOTICH,Hộ tịch,mười\n"
    ).encode()
    response = admin_client.post(url, {"file": SimpleUploadedFile("tt.csv", content)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "time_limit_value" in html and "<td>3</td>" in html
    assert Procedure.objects.count() == 0
    good = content.replace("mười".encode(), b"5")
    response = admin_client.post(url, {"file": SimpleUploadedFile("tt.csv", good)})
    assert response.status_code == 302
    assert Procedure.objects.count() == 2


def test_officials_without_admin_rights_cannot_import(client, desk_a):
    client.force_login(desk_a)
    response = client.get(reverse("admin:procedures_procedure_import"))
    assert response.status_code == 302  # to the admin login


def test_the_sample_file_imports_cleanly(admin_client):
    sample = admin_client.get(reverse("admin:procedures_procedure_import_sample"))
    assert sample.content.startswith(b"\xef\xbb\xbf")
    url = reverse("admin:procedures_procedure_import")
    response = admin_client.post(url, {"file": SimpleUploadedFile("mau.csv", sample.content)})
    assert response.status_code == 302
    procedure = Procedure.objects.get(national_code="1.000000")
    assert procedure.status == Procedure.Status.DRAFT
    assert procedure.required_documents.count() == 2


@pytest.mark.parametrize(
    ("path", "bad_id"),
    [
        ("/admin/procedures/procedure/73/change/history/", "73/change"),
        ("/admin/procedures/procedure/abc/history/", "abc"),
        ("/admin/procedures/agency/abc/history/", "abc"),
        ("/admin/procedures/field/abc/history/", "abc"),
        ("/admin/procedures/membership/abc/history/", "abc"),
        ("/admin/procedures/procedure/abc/history/1/", "abc"),
        ("/admin/procedures/procedure/1/history/xyz/", "“1”"),
    ],
)
def test_history_pages_with_a_malformed_id_redirect_like_the_change_view(
    admin_client, path, bad_id
):
    response = admin_client.get(path, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("admin:index"), 302)]
    [message] = [str(m) for m in response.context["messages"]]
    assert bad_id in message


def test_history_page_of_a_real_procedure_still_works(admin_client, building_permit):
    url = reverse("admin:procedures_procedure_history", args=[building_permit.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert building_permit.name in response.content.decode()


def test_admin_agency_search_ignores_diacritics(admin_client, agency_a, agency_b):
    url = reverse("admin:procedures_agency_changelist")
    response = admin_client.get(url, {"q": "hoan kiem"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [agency_a]
    response = admin_client.get(url, {"q": "SÓC son"})
    assert list(response.context["cl"].result_list) == [agency_b]
    response = admin_client.get(url, {"q": "000.01.01"})
    assert list(response.context["cl"].result_list) == [agency_a]
