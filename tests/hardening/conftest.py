"""The world the hostile-input suite attacks: the shared cast, a procedure, dossiers.

Every request is made with exceptions caught (not re-raised by the test client) and every
response >= 500 or exception is recorded, so one run lists all failures at once.
"""

from __future__ import annotations

import pytest
from django.core.signals import got_request_exception
from django.test import Client

from tests.dossiers.factories import DossierFactory
from tests.factories import ProcedureFactory

ROLES = ["anonymous", "desk_a", "specialist_a", "leader_a", "inspector", "outsider", "sysadmin"]
# The whole sample for these; one request per kind for the other roles (the run must stay
# within a few minutes on two busy cores).
FULL_ROLES = {"anonymous", "desk_a", "sysadmin"}


def rounds(role: str, full: int) -> int:
    return full if role in FULL_ROLES else 1


@pytest.fixture
def world(
    settings, agency_a, agency_b, desk_a, specialist_a, leader_a, inspector, outsider, sysadmin
):
    # Login forms get hostile passwords by the hundred: hash them cheaply.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    procedure = ProcedureFactory(agencies=[agency_a, agency_b])
    dossiers = [
        DossierFactory(agency=agency_a, procedure=procedure),
        DossierFactory(agency=agency_a, procedure=procedure, processing=True),
        DossierFactory(agency=agency_b, procedure=procedure, overdue=True),
    ]
    users = {
        "anonymous": None,
        "desk_a": desk_a,
        "specialist_a": specialist_a,
        "leader_a": leader_a,
        "inspector": inspector,
        "outsider": outsider,
        "sysadmin": sysadmin,
    }
    # Valid values for path parameters, so the hostile ones go deeper than the router.
    valid = {
        "pk": str(dossiers[0].pk),
        "id": str(dossiers[0].pk),
        "ref": dossiers[0].code or str(dossiers[0].pk),
        "national_code": procedure.national_code,
        "number": "01",
        "action": "start_processing",
    }
    return {"users": users, "valid": valid, "procedure": procedure, "dossiers": dossiers}


class Recorder:
    """Collects every 5xx and unhandled exception of a run."""

    def __init__(self):
        self.failures: list[str] = []
        self.count = 0
        self._exc: list[str] = []

    def _on_exception(self, sender, request=None, **kwargs):
        import sys

        exc = sys.exc_info()[1]
        self._exc.append(f"{type(exc).__name__}: {str(exc)[:200]}")

    def check(self, label: str, response) -> None:
        self.count += 1
        if response.status_code >= 500 or self._exc:
            detail = "; ".join(self._exc) or ""
            self.failures.append(f"{response.status_code} {label[:300]} {detail}")
        self._exc.clear()


@pytest.fixture
def recorder():
    rec = Recorder()
    got_request_exception.connect(rec._on_exception)
    yield rec
    got_request_exception.disconnect(rec._on_exception)


@pytest.fixture
def client_for(world):
    """client_for(role) -> a Django test client logged in as that role (or anonymous)."""
    clients: dict[str, Client] = {}

    def make(role: str) -> Client:
        if role not in clients:
            client = Client(raise_request_exception=False)
            user = world["users"][role]
            if user is not None:
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            clients[role] = client
        return clients[role]

    return make
