"""The OpenAPI schema and its documentation pages, served without any CDN."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_3_and_documents_every_endpoint_with_examples():
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    assert "/api/v1/dossiers/{id}/actions/transfer/" in paths
    assert "/api/v1/calendar/due/" in paths
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            examples = [
                content.get("examples")
                for response in operation["responses"].values()
                for content in response.get("content", {}).values()
            ]
            assert any(examples), f"{method.upper()} {path} has no response example"
            if method == "post" and "requestBody" in operation:
                assert any(
                    c.get("examples") for c in operation["requestBody"]["content"].values()
                ), f"POST {path} has no request example"


def test_idempotency_key_is_documented_on_intake_and_actions():
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ("/api/v1/dossiers/", "/api/v1/dossiers/{id}/actions/accept/"):
        names = [p["name"] for p in schema["paths"][path]["post"].get("parameters", [])]
        assert "Idempotency-Key" in names


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_docs_pages_load_only_our_own_static_files(url):
    response = APIClient().get(url)
    assert response.status_code == 200
    html = response.content.decode()
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    references += re.findall(r"""["'](https?://[^"']+)["']""", html)
    assert references, "expected the page to load scripts"
    for ref in references:
        assert ref.startswith(("/static/", "/api/")), f"{url} references {ref}"
    for ref in references:
        if ref.startswith("/static/"):
            path = ref.removeprefix("/static/").split("?")[0]
            assert finders.find(path), f"{ref} is not among our static files"


def test_search_is_an_alias_of_q_on_the_procedures_api(client, db):
    from tests.factories import ProcedureFactory

    ProcedureFactory(national_code="1.000777", name="Đăng ký kết hôn")
    ProcedureFactory(national_code="1.000778", name="Cấp giấy phép xây dựng")
    for param in ("q", "search"):
        response = client.get("/api/v1/procedures/", {param: "dang ky ket hon"})
        assert response.status_code == 200
        names = [row["name"] for row in response.json()["results"]]
        assert names == ["Đăng ký kết hôn"], param
