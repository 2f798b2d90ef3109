"""Browser tests: Playwright drives Debian's chromium (never a downloaded browser).

Outside CI a missing chromium skips these tests; in CI (CI=true) it is a failure.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Playwright's sync API runs an event loop in this thread; the test server and the ORM
# calls in the test itself are still synchronous, so Django's async guard must stand down.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"chromium not found at {CHROMIUM}: browser tests are required in CI")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


# Every page reports its Content-Security-Policy violations to the test (issue 12): the
# event from the document, and the browser's console message (which also covers what is
# blocked before any script runs).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolation(e.violatedDirective + " " + (e.blockedURI || "inline") + " " +
                        (e.sourceFile || "") + ":" + (e.lineNumber || ""));
});
"""


def _is_csp_message(text: str) -> bool:
    return "Content Security Policy" in text or "Content-Security-Policy" in text


@pytest.fixture
def csp_violations():
    """The CSP violations seen in this test's browser context; none may remain at the end."""
    seen: list[str] = []
    yield seen
    assert seen == [], f"Content-Security-Policy violations: {seen}"


@pytest.fixture
def page(browser, live_server, csp_violations):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.expose_function("__cspViolation", lambda report: csp_violations.append(report))
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.on(
        "console",
        lambda msg: csp_violations.append(msg.text) if _is_csp_message(msg.text) else None,
    )
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.fixture
def screenshot(page, request):
    """Save a full-page PNG under test-artifacts/ for a person to look at."""

    def take(name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(page):
    """Log a user in through the real login form."""

    def do(user, password="mat-khau-thu-nghiem"):
        page.goto(page.base_url + "/dang-nhap/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", password)
        page.click("main button[type=submit]")
        page.wait_for_load_state()

    return do


def own_cache(settings, location: str) -> None:
    """An in-memory cache of the test's own: the live server runs in this process, and the
    lookup counters and cached pages must not carry over from another test."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": location,
        }
    }
