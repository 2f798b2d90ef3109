"""GET /api/v1/calendar/due/: the due time and its explanation, as intake would set it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from dossiers.services import dossier_receive

pytestmark = pytest.mark.django_db
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
URL = "/api/v1/calendar/due/"


def test_the_calculator_gives_the_due_time_intake_gives(procedure_a, agency_a):
    received = datetime(2026, 11, 27, 16, 0, tzinfo=HANOI)  # a Friday, after the 15:00 cut-off
    response = APIClient().get(
        URL,
        {"procedure": procedure_a.pk, "agency": agency_a.pk, "received_at": received.isoformat()},
    )
    assert response.status_code == 200, response.json()
    body = response.json()

    dossier = dossier_receive(
        actor=None,
        procedure=procedure_a,
        agency=agency_a,
        channel="desk",
        applicant={"name": "Nguyễn Văn An", "phone": "0912345678"},
        documents=[],
        received_at=received,
    )
    assert datetime.fromisoformat(body["due_at"]) == dossier.due_at
    assert body["limit_unit"] == "working_days" and body["limit_value"] == 5.0
    assert body["explanation"]["start_reason"] == "after_cutoff"
    assert datetime.fromisoformat(body["due_at"]).astimezone(HANOI).date() > received.date()


def test_the_calculator_works_without_an_agency(procedure_a):
    response = APIClient().get(
        URL, {"procedure": procedure_a.pk, "received_at": "2026-11-25T09:00:00+07:00"}
    )
    assert response.status_code == 200
    assert response.json()["agency"] is None


@pytest.mark.parametrize(
    "params, field",
    [
        ({"received_at": "2026-11-25T09:00:00+07:00"}, "procedure"),
        ({"procedure": 999999, "received_at": "2026-11-25T09:00:00+07:00"}, "procedure"),
        ({"procedure": 1, "received_at": "hôm qua"}, "received_at"),
        ({"procedure": 1, "received_at": "2026-11-25T09:00", "channel": "fax"}, "channel"),
    ],
)
def test_bad_parameters_are_400_with_the_field_named(params, field, procedure_a):
    response = APIClient().get(URL, params)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_the_public_cannot_read_limits_of_unpublished_procedures(procedure_a):
    procedure_a.status = procedure_a.Status.DRAFT
    procedure_a.save(update_fields=["status"])
    response = APIClient().get(
        URL, {"procedure": procedure_a.pk, "received_at": "2026-11-27T09:00:00+07:00"}
    )
    assert response.status_code == 400
    assert "procedure" in response.json()["error"]["fields"]
