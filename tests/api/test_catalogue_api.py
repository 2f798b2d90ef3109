"""The public catalogue API: procedures (search without diacritics), agencies, fields."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from procedures.models import Procedure
from procedures.services import procedure_save
from tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


def _procedure(**kw) -> Procedure:
    # Saved through the catalogue service so the folded search text is written.
    return procedure_save(procedure=ProcedureFactory(**kw))


def test_search_finds_a_procedure_typed_without_diacritics(agency_a):
    wanted = _procedure(name="Đăng ký khai sinh", agencies=[agency_a])
    _procedure(name="Cấp giấy phép xây dựng")
    response = APIClient().get("/api/v1/procedures/", {"q": "dang ky khai sinh"})
    assert response.status_code == 200
    body = response.json()
    assert [p["id"] for p in body["results"]] == [wanted.pk]
    assert body["count"] == 1  # small public list: page numbers with a count


def test_the_public_sees_published_procedures_only_and_officials_see_drafts(api, leader_a):
    draft = _procedure(name="Thủ tục dự thảo", status=Procedure.Status.DRAFT)
    anonymous = APIClient()
    assert anonymous.get(f"/api/v1/procedures/{draft.pk}/").status_code == 404
    assert api(leader_a).get(f"/api/v1/procedures/{draft.pk}/").status_code == 200


def test_procedure_filters_and_detail(agency_a, agency_b):
    online = _procedure(name="Đăng ký kết hôn", online_mode="full", agencies=[agency_a])
    _procedure(name="Đăng ký khai tử", online_mode="none", agencies=[agency_b])
    client = APIClient()
    by_mode = client.get("/api/v1/procedures/", {"online_mode": "full"}).json()
    assert [p["id"] for p in by_mode["results"]] == [online.pk]
    by_agency = client.get("/api/v1/procedures/", {"agency": agency_a.pk}).json()
    assert [p["id"] for p in by_agency["results"]] == [online.pk]
    detail = client.get(f"/api/v1/procedures/{online.pk}/").json()
    assert detail["agencies"][0]["identifier_code"] == agency_a.identifier_code
    assert "required_documents" in detail and "time_limits" in detail


def test_agencies_are_public_and_searchable_without_diacritics(agency_a, agency_b):
    client = APIClient()
    response = client.get("/api/v1/agencies/", {"q": "hoan kiem"})
    assert response.status_code == 200
    assert [a["id"] for a in response.json()["results"]] == [agency_a.pk]
    assert client.get("/api/v1/agencies/", {"level": "nonsense"}).status_code == 400
    assert client.get("/api/v1/agencies/", {"page": 999}).json()["error"]["code"] == "not_found"


def test_an_unknown_api_url_is_a_json_404():
    response = APIClient().get("/api/v1/khong-co/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
