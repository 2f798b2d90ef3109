"""Swagger UI and Redoc render in a real browser from our own static files only."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    "path, ready, shot",
    [
        ("/api/docs/", ".swagger-ui .opblock", "api-swagger"),
        ("/api/redoc/", 'h1:has-text("hanoi_cchc API")', "api-redoc"),
    ],
)
def test_the_api_docs_render_without_any_external_request(page, path, ready, shot):
    requested: list[str] = []
    fetched: list[str] = []
    # Issue 14: Redoc's remote logo logged a CSP error; the console must stay clean.
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfinished", lambda request: fetched.append(request.url))

    page.goto(page.base_url + path)
    page.wait_for_selector(ready)
    page.wait_for_load_state("networkidle")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{shot}.png"))  # the first screen is enough

    # Nothing outside was fetched (Redoc's hard-coded logo is blocked by our CSP).
    outside = [url for url in fetched if not url.startswith((page.base_url, "blob:", "data:"))]
    assert outside == [], outside
    assert not any("cdn.redoc.ly" in url for url in requested)
    assert errors == [], errors
    assert any("/static/drf_spectacular_sidecar/" in url for url in requested)
    assert any(url.endswith("/api/schema/") for url in requested)
