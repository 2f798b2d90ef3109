"""No page breaks the Content-Security-Policy (issue 12). The `page` fixture fails any test
that sees a violation; this test walks the pages a citizen and an official open, and
checks that the policy is there and that an inline script would indeed be blocked."""

from __future__ import annotations

import pytest

from tests.dossiers.factories import DossierFactory
from tests.factories import ProcedureFactory

pytestmark = pytest.mark.e2e


def test_the_pages_load_under_the_policy_without_a_violation(page, login, leader_a, agency_a):
    procedure = ProcedureFactory(agencies=[agency_a])
    dossier = DossierFactory(agency=agency_a, procedure=procedure)
    public = [
        "/thu-tuc/",
        f"/thu-tuc/{procedure.national_code}/",
        "/ho-so/tra-cuu/",
        "/chi-so/",
        "/chi-so/cong-khai/",
        "/chi-so/chi-so-nam/",
        "/dang-nhap/",
    ]
    for path in public:
        response = page.goto(page.base_url + path)
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("networkidle")
    login(leader_a)
    for path in ["/ho-so/", "/ho-so/tiep-nhan/", f"/ho-so/xem/{dossier.code}/"]:
        page.goto(page.base_url + path)
        page.wait_for_load_state("networkidle")


def test_an_inline_script_would_be_blocked_and_reported(page, csp_violations):
    page.goto(page.base_url + "/thu-tuc/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = 1'; document.body.appendChild(s); }"
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__ran") is None
    assert csp_violations  # seen by the listener ...
    csp_violations.clear()  # ... and expected here, so not a failure of this test
