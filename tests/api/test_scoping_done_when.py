"""Done when: an official of agency A walks EVERY API endpoint and finds nothing of B.

The endpoints are read from the OpenAPI schema, so a new endpoint is walked automatically;
one the test does not know how to classify fails it.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from rest_framework.test import APIClient

from dossiers.models import DossierEvent
from indicators import rollups
from indicators.models import MonthlyStat
from tests.dossiers.factories import DossierFactory

pytestmark = pytest.mark.django_db

# The public catalogue and calculator: the same for everyone by law (no dossier data).
PUBLIC_PREFIXES = (
    "/api/v1/procedures/",
    "/api/v1/agencies/",
    "/api/v1/fields/",
    "/api/v1/calendar/",
    "/api/v1/auth/",
    "/api/v1/indicators/coverage/",
    "/api/v1/indicators/annual/",
)
SECRET_NAME = "Lê Thị Bí Mật"


def _schema():
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return response.json()["paths"]


@pytest.fixture
def world(agency_a, agency_b):
    mine = DossierFactory(agency=agency_a, processing=True)
    # B's statistics, which an official of A must not read either.
    MonthlyStat.objects.create(
        agency=agency_b,
        procedure=mine.procedure,
        field_id=mine.procedure.field_id,
        month=date.today().replace(day=1),
        received=4242,
    )
    rollups.rebuild_months([date.today().replace(day=1)])  # the API reads the roll-ups
    theirs = [
        DossierFactory(agency=agency_b, applicant_name=SECRET_NAME, processing=True),
        DossierFactory(agency=agency_b, applicant_name=SECRET_NAME, overdue=True),
        DossierFactory(agency=agency_b, applicant_name=SECRET_NAME, settled=True),
        DossierFactory(agency=agency_b, applicant_name=SECRET_NAME, submitted=True),
    ]
    return mine, theirs


def _leaks(text: str, theirs) -> list[str]:
    found = []
    if SECRET_NAME in text:
        found.append("applicant name")
    if "4242" in text or "UBND xã Sóc Sơn" in text:
        found.append("agency B's statistics")
    for d in theirs:
        if d.code and d.code in text:
            found.append(d.code)
    return found


@pytest.mark.parametrize("role", ["desk_a", "specialist_a", "leader_a"])
def test_an_official_of_a_finds_nothing_of_b_on_any_endpoint(role, request, api, world, agency_b):
    user = request.getfixturevalue(role)
    mine, theirs = world
    client = api(user)
    walked = 0
    for path, operations in _schema().items():
        public = path.startswith(PUBLIC_PREFIXES)
        for method in operations:
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            if public:
                continue  # no dossier data there; covered by their own tests
            walked += 1
            if "{id}" in path:
                # Every dossier-scoped route answers 404 for B's dossiers, and changes nothing.
                for d in theirs:
                    before = DossierEvent.objects.filter(dossier=d).count()
                    url = path.replace("{id}", str(d.pk))
                    response = getattr(client, method)(url, {}, format="json")
                    assert response.status_code == 404, (method, url, response.status_code)
                    assert not _leaks(response.content.decode(), theirs)
                    assert DossierEvent.objects.filter(dossier=d).count() == before
                # ...while A's own dossier is reachable on the read routes.
                if method == "get":
                    url = path.replace("{id}", str(mine.pk))
                    assert getattr(client, method)(url).status_code == 200, url
            elif method == "get":
                for params in ({}, {"agency": agency_b.pk}, {"current_agency": agency_b.pk}):
                    response = client.get(path, params)
                    assert response.status_code in (200, 400, 404), (path, params)
                    text = response.content.decode()
                    assert not _leaks(text, theirs), (path, params, _leaks(text, theirs))
                    body = response.json()
                    rows = body.get("results", []) if isinstance(body, dict) else body
                    assert not {r.get("id") for r in rows} & {d.pk for d in theirs}, path
                    assert str(agency_b.pk) not in {str(r.get("key")) for r in rows}, path
            elif method == "post":
                # Creation endpoints: creating for agency B is refused.
                body = {
                    "procedure": mine.procedure_id,
                    "agency": agency_b.pk,
                    "channel": "online" if path.endswith("/online/") else "desk",
                    "applicant": {"name": "Nguyễn Văn An"},
                }
                response = client.post(path, body, format="json")
                assert response.status_code in (400, 403), (path, response.status_code)
            else:
                pytest.fail(f"unclassified endpoint {method.upper()} {path}")
    assert walked >= 20  # list, detail, history, intake x2 and every action


def test_history_and_detail_of_b_do_not_reveal_that_it_exists(api, desk_a, world):
    _mine, theirs = world
    client = api(desk_a)
    missing = client.get("/api/v1/dossiers/99999999/")
    hidden = client.get(f"/api/v1/dossiers/{theirs[0].pk}/")
    assert missing.status_code == hidden.status_code == 404
    assert missing.json() == hidden.json()


def test_the_schema_lists_every_dossier_route_the_walk_covers():
    paths = _schema()
    dossier_paths = [p for p in paths if p.startswith("/api/v1/dossiers/")]
    assert len([p for p in dossier_paths if re.search(r"/actions/\w+/$", p)]) >= 17
