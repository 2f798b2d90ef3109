"""The dossier API: intake, actions, errors, filters, history, for each role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dossiers.models import Dossier, DossierEvent
from tests.dossiers.factories import DossierFactory

from .conftest import intake_body

pytestmark = pytest.mark.django_db

URL = "/api/v1/dossiers/"


def test_the_desk_officer_receives_a_dossier_and_gets_its_code(api, desk_a, procedure_a, agency_a):
    response = api(desk_a).post(URL, intake_body(procedure_a, agency_a), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "received"
    assert body["code"].startswith(agency_a.identifier_code + "-")
    assert body["due_at"] and body["due_explanation"]
    assert body["sync"]["pending_messages"] == 1
    assert Dossier.objects.get(pk=body["id"]).created_by == desk_a


def test_intake_can_guide_or_refuse_with_the_form_text(api, desk_a, procedure_a, agency_a):
    client = api(desk_a)
    guided = client.post(
        URL,
        intake_body(procedure_a, agency_a, outcome="guide_incomplete", missing="Thiếu tờ khai"),
        format="json",
    )
    refused = client.post(
        URL,
        intake_body(
            procedure_a, agency_a, outcome="refuse_intake", reason="Không thuộc thẩm quyền"
        ),
        format="json",
    )
    assert (guided.status_code, guided.json()["status"]) == (201, "incomplete")
    assert (refused.status_code, refused.json()["status"]) == (201, "intake_refused")
    assert guided.json()["code"] is None


def test_a_missing_reason_is_a_field_error_in_the_one_format(api, desk_a, procedure_a, agency_a):
    response = api(desk_a).post(
        URL, intake_body(procedure_a, agency_a, outcome="refuse_intake"), format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "reason" in error["fields"]


def test_bad_json_and_bad_fields_give_400_not_500(api, desk_a, procedure_a, agency_a):
    client = api(desk_a)
    broken = client.post(URL, "{not json", content_type="application/json")
    assert broken.status_code == 400
    assert broken.json()["error"]["code"] == "parse_error"
    wrong = client.post(
        URL, {"procedure": "x", "agency": 999999, "applicant": "nobody"}, format="json"
    )
    assert wrong.status_code == 400
    assert {"procedure", "agency", "applicant", "channel"} <= set(wrong.json()["error"]["fields"])


def test_a_specialist_cannot_receive_and_an_inspector_changes_nothing(
    api, specialist_a, inspector, procedure_a, agency_a
):
    for user in (specialist_a, inspector):
        response = api(user).post(URL, intake_body(procedure_a, agency_a), format="json")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
    assert not Dossier.objects.exists()


def test_an_official_cannot_receive_for_another_agency(api, desk_a, procedure_b, agency_b):
    response = api(desk_a).post(URL, intake_body(procedure_b, agency_b), format="json")
    assert response.status_code == 403


def test_outsiders_and_anonymous_users_see_no_dossier_data(api, outsider, agency_a):
    DossierFactory(agency=agency_a)
    assert api(outsider).get(URL).status_code == 403
    anonymous = api().get(URL)
    assert anonymous.status_code in (401, 403)
    assert anonymous.json()["error"]["code"] == "not_authenticated"


def test_the_lifecycle_runs_through_the_action_endpoints(
    api, desk_a, specialist_a, leader_a, procedure_a, agency_a
):
    dossier_id = (
        api(desk_a).post(URL, intake_body(procedure_a, agency_a), format="json").json()["id"]
    )
    specialist = api(specialist_a)

    def act(client, name, **body):
        return client.post(f"{URL}{dossier_id}/actions/{name}/", body, format="json")

    assert act(specialist, "start_processing").json()["status"] == "processing"
    supplement = act(specialist, "request_supplement", content="Bổ sung bản sao CCCD")
    assert supplement.json()["status"] == "supplement_requested"
    assert act(api(desk_a), "receive_supplement").json()["status"] == "processing"
    # The procedure needs the leader's decision (the catalogue's default): sign-off first.
    assert act(specialist, "mark_result_ready").status_code == 409
    assert act(specialist, "sign_off").status_code == 403
    assert act(api(leader_a), "sign_off").status_code == 200
    ready = act(specialist, "mark_result_ready", note="Đã ký")
    assert ready.status_code == 200 and ready.json()["status"] == "result_ready"
    assert act(api(desk_a), "return_result").json()["status"] == "returned"

    history = api(leader_a).get(f"{URL}{dossier_id}/history/").json()
    assert [e["action"] for e in history["results"]] == [
        "receive",
        "start_processing",
        "request_supplement",
        "receive_supplement",
        "sign_off",
        "mark_result_ready",
        "return_result",
    ]
    assert history["results"][5]["note"] == "Đã ký"
    assert "count" not in history  # cursor pagination


def test_a_transition_the_workflow_forbids_is_409_with_its_message(api, desk_a, agency_a):
    dossier = DossierFactory(agency=agency_a)  # received
    response = api(desk_a).post(f"{URL}{dossier.pk}/actions/return_result/", {}, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "transition_not_allowed"
    assert "Trả kết quả" in error["message"]


def test_a_role_without_the_permission_gets_403(api, desk_a, inspector, agency_a):
    dossier = DossierFactory(agency=agency_a, processing=True)
    assert api(desk_a).post(f"{URL}{dossier.pk}/actions/mark_result_ready/", {}).status_code == 403
    assert api(inspector).post(f"{URL}{dossier.pk}/actions/withdraw/", {}).status_code == 403
    dossier.refresh_from_db()
    assert dossier.status == "processing"


def test_action_parameters_are_validated(api, specialist_a, agency_a):
    dossier = DossierFactory(agency=agency_a, processing=True)
    client = api(specialist_a)
    bad = client.post(
        f"{URL}{dossier.pk}/actions/transfer/",
        {"to_agency_id": "x", "limit_value": -1, "limit_unit": "years"},
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"to_agency_id", "limit_value", "limit_unit"}
    fee = client.post(f"{URL}{dossier.pk}/actions/request_fee/", {"fee_amount": 50000})
    assert fee.status_code == 200 and fee.json()["fee_amount"] == "50000"


def test_the_inspector_reads_every_dossier(api, inspector, agency_a, agency_b):
    DossierFactory(agency=agency_a)
    DossierFactory(agency=agency_b)
    response = api(inspector).get(URL)
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2


def test_list_filters_status_overdue_and_dates(api, leader_a, agency_a):
    overdue = DossierFactory(agency=agency_a, overdue=True)
    fresh = DossierFactory(agency=agency_a, ago=timedelta(days=1))
    settled = DossierFactory(agency=agency_a, settled=True)
    client = api(leader_a)

    def ids(**params):
        response = client.get(URL, params)
        assert response.status_code == 200, response.json()
        return {d["id"] for d in response.json()["results"]}

    assert ids(overdue="true") == {overdue.pk}
    assert ids(status=["returned"]) == {settled.pk}
    since = (timezone.now() - timedelta(days=2)).isoformat()
    assert ids(received_after=since) == {fresh.pk}
    assert ids(procedure=fresh.procedure_id) == {fresh.pk}
    bad = client.get(URL, {"status": "nonsense", "received_after": "yesterday"})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"status", "received_after"}


def test_the_list_pages_with_a_cursor(api, leader_a, agency_a):
    made = {DossierFactory(agency=agency_a).pk for _ in range(5)}
    client = api(leader_a)
    first = client.get(URL, {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    seen = {d["id"] for d in first["results"]}
    page = first
    while page["next"]:
        page = client.get(page["next"]).json()
        seen |= {d["id"] for d in page["results"]}
    assert seen == made


def test_the_list_query_count_does_not_grow_with_rows(
    api, leader_a, agency_a, django_assert_max_num_queries
):
    for _ in range(10):
        DossierFactory(agency=agency_a)
    client = api(leader_a)
    with django_assert_max_num_queries(8):
        assert client.get(URL).status_code == 200


def test_the_detail_shows_sync_state_and_allowed_actions(api, specialist_a, agency_a):
    dossier = DossierFactory(agency=agency_a, processing=True)
    body = api(specialist_a).get(f"{URL}{dossier.pk}/").json()
    assert body["sync_state"] == "synced"
    assert body["sync"]["pending_messages"] == 0
    assert "mark_result_ready" in body["allowed_actions"]
    assert "return_result" not in body["allowed_actions"]


def test_online_submission_waits_for_acceptance(api, desk_a, procedure_a, agency_a):
    client = api(desk_a)
    body = intake_body(procedure_a, agency_a, channel="online")
    submitted = client.post(f"{URL}online/", body, format="json")
    assert submitted.status_code == 201, submitted.json()
    assert submitted.json()["status"] == "submitted" and submitted.json()["code"] is None
    accepted = client.post(f"{URL}{submitted.json()['id']}/actions/accept/", {})
    assert accepted.json()["status"] == "received" and accepted.json()["code"]
    assert DossierEvent.objects.filter(dossier_id=submitted.json()["id"]).count() == 2


@pytest.mark.parametrize("outcome", ["receive", "guide_incomplete", "refuse_intake"])
def test_the_intake_answer_is_the_dossier_as_stored_without_reading_it_back(
    api, desk_a, procedure_a, agency_a, outcome, django_assert_max_num_queries
):
    client = api(desk_a)
    body = intake_body(
        procedure_a, agency_a, outcome=outcome, missing="Thiếu tờ khai", reason="Sai thẩm quyền"
    )
    client.post(URL, body, format="json")  # warm the caches a running server has
    with django_assert_max_num_queries(30) as captured:
        created = client.post(URL, body, format="json")
    assert created.status_code == 201, created.json()
    reads_of_the_new_row = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith('SELECT "dossiers_dossier"."id"')
    ]
    assert reads_of_the_new_row == []
    stored = client.get(f"{URL}{created.json()['id']}/")
    assert created.json() == stored.json()
