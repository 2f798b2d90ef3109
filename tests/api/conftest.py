"""Fixtures of the API tests: clients logged in as the shared cast, a procedure per agency."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import ProcedureFactory


@pytest.fixture
def api():
    """api(user) -> an APIClient logged in as user (session), or anonymous with None."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            # tests/factories.UserFactory sets the password without saving it; the session
            # hash must match the stored one, so store it.
            user.save(update_fields=["password"])
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


@pytest.fixture
def procedure_a(agency_a):
    return ProcedureFactory(name="Đăng ký khai sinh", agencies=[agency_a])


@pytest.fixture
def procedure_b(agency_b):
    return ProcedureFactory(name="Cấp giấy phép xây dựng", agencies=[agency_b])


def intake_body(procedure, agency, **extra) -> dict:
    body = {
        "procedure": procedure.pk,
        "agency": agency.pk,
        "channel": "desk",
        "applicant": {"name": "Nguyễn Văn An", "phone": "0912345678"},
        "documents": [{"name": "Tờ khai", "form": "original", "copies": 1}],
    }
    body.update(extra)
    return body
