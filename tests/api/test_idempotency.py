"""Idempotency-Key on intake and actions: one effect per key, even under concurrency."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from dossiers.models import Dossier, DossierEvent, IdempotencyRecord, OutboxMessage
from tests.dossiers.factories import DossierFactory

from .conftest import intake_body

URL = "/api/v1/dossiers/"


@pytest.mark.django_db
def test_the_same_key_and_body_returns_the_first_response_and_creates_nothing(
    api, desk_a, procedure_a, agency_a
):
    client = api(desk_a)
    body = intake_body(procedure_a, agency_a)
    first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Dossier.objects.count() == 1
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_422(api, desk_a, procedure_a, agency_a):
    client = api(desk_a)
    client.post(URL, intake_body(procedure_a, agency_a), format="json", HTTP_IDEMPOTENCY_KEY="k")
    other = intake_body(procedure_a, agency_a, applicant={"name": "Trần Thị Bình"})
    response = client.post(URL, other, format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert "khóa mới" in response.json()["error"]["message"]
    assert Dossier.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_per_user(api, desk_a, leader_a, procedure_a, agency_a):
    body = intake_body(procedure_a, agency_a)
    api(desk_a).post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    response = api(leader_a).post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 201
    assert Dossier.objects.count() == 2


@pytest.mark.django_db
def test_an_action_repeated_with_its_key_is_applied_once(api, specialist_a, agency_a):
    dossier = DossierFactory(agency=agency_a)
    client = api(specialist_a)
    path = f"{URL}{dossier.pk}/actions/start_processing/"
    first = client.post(path, {}, format="json", HTTP_IDEMPOTENCY_KEY="act-1")
    again = client.post(path, {}, format="json", HTTP_IDEMPOTENCY_KEY="act-1")
    without_key = client.post(path, {}, format="json")

    assert first.status_code == again.status_code == 200
    assert without_key.status_code == 409  # a real second attempt is refused by the workflow
    assert DossierEvent.objects.filter(dossier=dossier, action="start_processing").count() == 1


@pytest.mark.django_db
def test_a_failed_request_does_not_burn_its_key(api, desk_a, procedure_a, agency_a):
    client = api(desk_a)
    broken = intake_body(procedure_a, agency_a, applicant={"name": ""})
    assert client.post(URL, broken, format="json", HTTP_IDEMPOTENCY_KEY="k2").status_code == 400
    assert not IdempotencyRecord.objects.exists()
    fixed = client.post(
        URL, intake_body(procedure_a, agency_a), format="json", HTTP_IDEMPOTENCY_KEY="k2"
    )
    assert fixed.status_code == 201


@pytest.mark.django_db
def test_an_overlong_key_is_rejected(api, desk_a, procedure_a, agency_a):
    response = api(desk_a).post(
        URL, intake_body(procedure_a, agency_a), format="json", HTTP_IDEMPOTENCY_KEY="x" * 300
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row-level concurrency needs PostgreSQL"
)
def test_concurrent_requests_with_one_key_create_one_dossier(api, desk_a, procedure_a, agency_a):
    body = intake_body(procedure_a, agency_a)
    results = []
    barrier = threading.Barrier(6)

    def post():
        client = api(desk_a)
        barrier.wait()
        try:
            response = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="same-moment")
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert [status for status, _ in results] == [201] * 6
    assert len({body["id"] for _, body in results}) == 1
    assert Dossier.objects.count() == 1
    assert OutboxMessage.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1
