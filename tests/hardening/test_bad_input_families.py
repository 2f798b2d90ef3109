"""One test per family of crafted input that gave a 500 (issue 12), each asserting the
4xx (or the message and redirect) the portal answers instead."""

from __future__ import annotations

import base64

import pytest
from rest_framework.test import APIClient

from tests.auth import login
from tests.dossiers.factories import DossierFactory
from tests.factories import ProcedureFactory


@pytest.fixture
def dossier(agency_a):
    return DossierFactory(agency=agency_a, procedure=ProcedureFactory(agencies=[agency_a]))


@pytest.fixture
def api_as():
    def make(user):
        client = APIClient()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


# --- NUL bytes ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_nul_byte_in_the_query_string_is_a_400(client):
    assert client.get("/thu-tuc/", QUERY_STRING="q=a%00b").status_code == 400


@pytest.mark.django_db
def test_a_nul_byte_in_the_path_is_a_400(client):
    assert client.get("/thu-tuc/a%00b/").status_code == 400


@pytest.mark.django_db
def test_a_nul_byte_in_a_form_field_is_a_400(client):
    assert client.post("/ho-so/tra-cuu/", {"ma": "a\x00", "bi_mat": "1234"}).status_code == 400


def test_a_nul_byte_in_a_json_body_is_a_400(api_as, desk_a, dossier):
    response = api_as(desk_a).post(
        f"/api/v1/dossiers/{dossier.pk}/actions/refuse_intake/",
        {"reason": "a\x00b"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


# --- digits that are not ASCII -----------------------------------------------------------


def test_a_superscript_agency_id_on_the_ledger_is_refused_with_a_message(client, leader_a):
    login(client, leader_a)
    response = client.get("/ho-so/so-theo-doi.pdf", {"co_quan": "²"})
    assert response.status_code == 302


def test_arabic_indic_digits_are_not_a_dossier_id(api_as, inspector, dossier):
    arabic = "".join(chr(0x0660 + int(d)) for d in str(dossier.pk))
    response = api_as(inspector).get(f"/api/v1/dossiers/{arabic}/")
    assert response.status_code == 404


# --- numbers and dates past the database's or Python's range ------------------------------


def test_a_fee_past_the_column_is_a_form_error_not_a_database_error():
    from dossiers.forms import FeeForm

    assert not FeeForm({"fee_amount": str(10**20)}).is_valid()
    assert FeeForm({"fee_amount": str(10**14 - 1)}).is_valid()


def test_a_ledger_period_ending_in_year_9999_is_refused_with_a_message(client, leader_a):
    login(client, leader_a)
    response = client.get("/ho-so/so-theo-doi.pdf", {"tu": "9999-12-01", "den": "9999-12-31"})
    assert response.status_code == 302


def test_an_apology_date_in_year_9999_is_a_form_error():
    from dossiers.forms import ApologyForm

    data = {"reason": "Cần xác minh", "new_due_date": "9999-12-31", "new_due_time": "17:00"}
    assert not ApologyForm(data).is_valid()
    assert ApologyForm({**data, "new_due_date": "2026-12-31"}).is_valid()


@pytest.mark.django_db
def test_an_over_long_username_on_the_login_page_is_a_form_error(client):
    response = client.post("/dang-nhap/", {"username": "a" * 5000, "password": "x"})
    assert response.status_code == 200


# --- deep JSON ---------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50 + "1" + "}" * 50])
def test_a_deeply_nested_json_body_is_a_400(api_as, desk_a, dossier, body):
    response = api_as(desk_a).post(
        f"/api/v1/dossiers/{dossier.pk}/actions/accept/", body, content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_deeply_nested_json_body_to_the_token_endpoint_is_a_400():
    body = "[" * 100_000 + "]" * 100_000
    # An address of its own: the token endpoint's throttle must not count other tests' calls.
    client = APIClient(REMOTE_ADDR="192.0.2.77")
    response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400


# --- cursors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "position", ["abc", "²", "99999999999999999999999", "2024-13-45T99:99:99", "\x00"]
)
def test_a_cursor_that_decodes_but_does_not_parse_is_a_404(api_as, inspector, dossier, position):
    cursor = base64.b64encode(f"p={position}".encode()).decode()
    for url in ("/api/v1/dossiers/", f"/api/v1/dossiers/{dossier.pk}/history/"):
        response = api_as(inspector).get(url, {"cursor": cursor})
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"


def test_a_valid_cursor_still_pages(api_as, inspector, dossier, agency_a):
    DossierFactory.create_batch(3, agency=agency_a, procedure=dossier.procedure)
    client = api_as(inspector)
    first = client.get("/api/v1/dossiers/", {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    assert second["results"]
    assert {r["id"] for r in first["results"]}.isdisjoint({r["id"] for r in second["results"]})


# --- bodies ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_body_larger_than_the_limit_is_refused_before_parsing(client, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1000
    body = "--b\r\nContent-Disposition: form-data; name=ma\r\n\r\n" + "x" * 5000 + "\r\n--b--\r\n"
    response = client.generic(
        "POST", "/ho-so/tra-cuu/", body, content_type="multipart/form-data; boundary=b"
    )
    assert response.status_code == 413


# --- the net -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_what_slips_through_on_a_page_is_our_400_page_and_logged(rf, caplog):
    from django.contrib.auth.models import AnonymousUser
    from django.db import DataError

    from hanoi_cchc.middleware import HostileInputMiddleware

    net = HostileInputMiddleware(lambda request: None)
    request = rf.get("/thu-tuc/")
    request.user = AnonymousUser()
    with caplog.at_level("WARNING", logger="hanoi_cchc.bad_input"):
        response = net.process_exception(request, DataError("numeric field overflow"))
    assert response.status_code == 400
    assert any(r.name == "hanoi_cchc.bad_input" for r in caplog.records)
    assert net.process_exception(request, KeyError("a bug")) is None  # bugs stay 500s


@pytest.mark.django_db
def test_the_api_answers_what_slips_through_with_a_400_in_its_format(rf):
    from django.db import DataError

    from hanoi_cchc.api_errors import exception_handler

    request = rf.get("/api/v1/dossiers/")
    response = exception_handler(DataError("numeric field overflow"), {"request": request})
    assert response.status_code == 400
    assert response.data["error"]["code"] == "invalid"
    assert exception_handler(KeyError("a bug"), {"request": request}) is None
