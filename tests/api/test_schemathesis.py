"""Property-based run of Schemathesis over our own OpenAPI schema, against the WSGI app,
authenticated as an official: no 5xx, and every response matches the schema.

Bounded: a few valid and a few invalid examples per operation (about a minute in total).
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.dossiers.factories import DossierFactory
from tests.factories import ProcedureFactory

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 6}


@pytest.fixture
def official_token(db, leader_a, agency_a, agency_b):
    procedure = ProcedureFactory(agencies=[agency_a])
    for trait in ({}, {"processing": True}, {"overdue": True}, {"submitted": True}):
        DossierFactory(agency=agency_a, procedure=procedure, **trait)
    DossierFactory(agency=agency_b)
    return Token.objects.create(user=leader_a).key


@pytest.fixture
def api_schema(db):
    # Like Django's test client: a request must not close the test's database connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_the_api_honours_its_schema_and_never_fails_with_5xx(api_schema, official_token):
    headers = {"Authorization": f"Token {official_token}"}
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 25

    for operation in operations:
        for mode, examples in EXAMPLES.items():

            @given(case=operation.as_strategy(mode))
            @settings(
                max_examples=examples,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                run()
            except (Exception, BaseExceptionGroup) as exc:  # collect all, then report
                if "Unsatisfiable" in type(exc).__name__:
                    continue  # nothing invalid can be generated for this operation
                failures.append(f"{operation.label} [{mode}]: {exc}"[:3000])
    assert not failures, "\n\n".join(failures)[:20000]
